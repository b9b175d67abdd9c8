// mknod_chardev: create a character device node for the kernel log (/dev/kmsg, 1:11) in the
// workspace (argv[1]) and read from it: a device node reaches its device wherever it is created,
// past every path rule (the kernel log leaks addresses and other processes' activity; /dev/mem or
// a disk would be worse). Removed again afterwards.
// Stopped by: Landlock (make_char is granted nowhere) and, for a non-root sandbox user, CAP_MKNOD.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "NODE");
  unlink(argv[1]);
  if (mknod(argv[1], S_IFCHR | 0600, makedev(1, 11)) != 0) blocked_errno("mknod a character device (1:11)", errno);
  int fd = open(argv[1], O_RDONLY | O_NONBLOCK);
  int err = errno;
  unlink(argv[1]);
  if (fd < 0) blocked("mknod succeeded, but open the node: %s", errname(err));
  char buf[8192] = {0};  // /dev/kmsg returns one whole record per read, EINVAL if it does not fit
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) blocked("opened the node, but read: %s", errname(errno));
  buf[strcspn(buf, "\n")] = 0;
  buf[60] = 0;
  succeeded("read the kernel log through a device node in the workspace: \"%s...\"", buf);
}
