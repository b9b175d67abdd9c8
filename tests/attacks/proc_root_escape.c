// proc_root_escape: reach a secret (absolute path argv[1]) through /proc/1/root, pid 1's view of
// the filesystem, the way container escapes walk around a chroot or mount namespace.
// Stopped by: Landlock (nothing beneath /proc is readable).
#include <fcntl.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "SECRET");
  char path[4096];
  snprintf(path, sizeof path, "/proc/1/root%s", argv[1]);
  int fd = open(path, O_RDONLY);
  if (fd < 0) blocked_errno("open /proc/1/root/...", errno);
  char buf[64] = {0};
  if (read(fd, buf, sizeof buf - 1) < 0) blocked_errno("read", errno);
  buf[strcspn(buf, "\n")] = 0;
  succeeded("read \"%s\" through %s", buf, path);
}
