// setns_outside: join the network namespace of a process outside the sandbox (the runner's
// `sleep`, pid argv[1], which lives in the host's namespace) through /proc/PID/ns/net, leaving the
// sandbox's namespace and its firewall for the host's. (/proc/1 would do in a container; pid 1 of
// this test machine refuses even root.)
// Stopped by: Landlock (nothing beneath /proc is readable, so the namespace file cannot be opened)
// and seccomp (std.hardening kills setns; the attack calls it even without the file).
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "PID");
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", atoi(argv[1]));
  struct stat before, after, target;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // Without the file, make the call anyway with a descriptor we do have: the filter's answer to
    // setns is what an attacker holding a leaked namespace descriptor would meet.
    int err = errno;
    if (setns(0, CLONE_NEWNET) != 0)
      blocked("open %s: %s; setns(0, CLONE_NEWNET): %s", path, strerror(err), errname(errno));
    blocked_errno("open the namespace file", err);
  }
  if (fstat(fd, &target) != 0 || stat("/proc/self/ns/net", &before) != 0)
    untestable("stat the namespaces: %s", errname(errno));
  if (target.st_ino == before.st_ino) untestable("pid %s is in our network namespace already", argv[1]);
  if (setns(fd, CLONE_NEWNET) != 0) blocked_errno("setns into the outside namespace", errno);
  if (stat("/proc/self/ns/net", &after) == 0 && after.st_ino == target.st_ino)
    succeeded("setns joined pid %s's network namespace (net:[%lu])", argv[1], (unsigned long)target.st_ino);
  blocked("setns returned 0 but the network namespace did not change");
}
