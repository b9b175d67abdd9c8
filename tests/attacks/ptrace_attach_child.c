// ptrace_attach_child: fork a child inside the sandbox and PTRACE_ATTACH to it. Landlock allows
// tracing within the same domain, so only seccomp stands in the way; a tracer can rewrite a
// tracee's syscalls (and before Linux 4.8 skip its seccomp filter).
// Stopped by: seccomp (std.hardening kills ptrace).
#include <sys/ptrace.h>

#include "attack.h"

static volatile long marker = 0x5eccu;

int main(void) {
  pid_t child = attack_fork();
  if (child < 0) untestable("fork: %s", errname(errno));
  if (child == 0) {
    for (;;) pause();
  }
  if (ptrace(PTRACE_ATTACH, child, 0, 0) != 0) {
    int err = errno;
    kill(child, SIGKILL);
    blocked_errno("ptrace(PTRACE_ATTACH) to a forked child", err);
  }
  int status = 0;
  waitpid(child, &status, 0);
  errno = 0;
  long word = ptrace(PTRACE_PEEKDATA, child, (void*)&marker, 0);
  int err = errno;
  kill(child, SIGKILL);
  if (err != 0) succeeded("attached to child %d (PEEKDATA: %s)", child, errname(err));
  succeeded("attached to child %d and read its memory (%#lx)", child, word);
}
