// unshare_netns: unshare(CLONE_NEWNET) to leave the sandbox's network namespace, and with it the
// firewall rules loaded there, for a fresh one the process controls.
// Stopped by: seccomp (std.hardening kills unshare with any namespace flag).
#include <sched.h>

#include "attack.h"

int main(void) {
  if (unshare(CLONE_NEWNET) != 0) blocked_errno("unshare(CLONE_NEWNET)", errno);
  succeeded("unshare(CLONE_NEWNET): now in a new network namespace with no firewall rules");
}
