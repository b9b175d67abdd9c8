// clone_newns: clone(CLONE_NEWUSER | CLONE_NEWNS) to start a child in new user and mount
// namespaces, where it could remount the filesystem view at will.
// Stopped by: seccomp (std.hardening kills clone with any namespace flag).
#include <sched.h>
#include <sys/syscall.h>

#include "attack.h"

int main(void) {
  fflush(stdout);
  long pid = syscall(SYS_clone, (long)(CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD), 0L, 0L, 0L, 0L);
  if (pid < 0) blocked_errno("clone(CLONE_NEWUSER | CLONE_NEWNS)", errno);
  if (pid == 0) _exit(42);
  int status = 0;
  waitpid((pid_t)pid, &status, 0);
  succeeded("clone(CLONE_NEWUSER | CLONE_NEWNS) started child %ld in new namespaces (%s)", pid,
            wait_status_text(status));
}
