// clone3_newuser: clone3 with CLONE_NEWUSER. clone3 passes its flags in memory, where seccomp
// cannot see them, so a filter that only checks clone's flag register would let this through.
// Stopped by: seccomp (std.hardening answers every clone3 with ENOSYS).
#include <linux/sched.h>
#include <sched.h>
#include <sys/syscall.h>

#include "attack.h"

int main(void) {
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = CLONE_NEWUSER;
  args.exit_signal = SIGCHLD;
  fflush(stdout);
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) blocked_errno("clone3(CLONE_NEWUSER)", errno);
  if (pid == 0) _exit(42);
  int status = 0;
  waitpid((pid_t)pid, &status, 0);
  succeeded("clone3(CLONE_NEWUSER) started child %ld in a new user namespace (%s)", pid, wait_status_text(status));
}
