// setns_init: join the network namespace of pid 1 through /proc/1/ns/net, leaving the sandbox's
// namespace (and its firewall) for the host's.
// Stopped by: Landlock (no access to /proc, so the namespace file cannot be opened) and seccomp
// (std.hardening kills setns).
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include "attack.h"

int main(void) {
  struct stat before, after;
  int have_before = stat("/proc/self/ns/net", &before) == 0;
  int fd = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // Without the file, try the call anyway with a descriptor we do have: the filter's answer to
    // setns is what an attacker holding a leaked namespace descriptor would meet.
    int err = errno;
    if (setns(0, CLONE_NEWNET) != 0)
      blocked("open /proc/1/ns/net: %s; setns(0, CLONE_NEWNET): %s", strerror(err), errname(errno));
    blocked_errno("open /proc/1/ns/net", err);
  }
  if (setns(fd, CLONE_NEWNET) != 0) blocked_errno("setns(/proc/1/ns/net)", errno);
  if (have_before && stat("/proc/self/ns/net", &after) == 0 && after.st_ino == before.st_ino)
    blocked("setns succeeded but the network namespace is unchanged (already pid 1's)");
  succeeded("setns joined pid 1's network namespace");
}
