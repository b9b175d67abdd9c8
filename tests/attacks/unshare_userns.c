// unshare_userns: unshare(CLONE_NEWUSER), which gives an unprivileged process every capability
// over a fresh set of namespaces: the first step of most local kernel exploits.
// Stopped by: seccomp (std.hardening kills unshare with any namespace flag).
#include <sched.h>

#include "attack.h"

int main(void) {
  if (unshare(CLONE_NEWUSER) != 0) blocked_errno("unshare(CLONE_NEWUSER)", errno);
  succeeded("unshare(CLONE_NEWUSER): now in a new user namespace");
}
