// ptrace_attach_outside: PTRACE_ATTACH to a process outside the sandbox (a `sleep` the runner
// started, pid in argv[1]) and read a word of its memory: full control of that process.
// Stopped by: seccomp (std.hardening kills @debugging, ptrace included); Landlock also refuses to
// trace a process outside the sandbox's domain.
#include <sys/ptrace.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "PID");
  pid_t pid = (pid_t)atoi(argv[1]);
  if (ptrace(PTRACE_ATTACH, pid, 0, 0) != 0) blocked_errno("ptrace(PTRACE_ATTACH)", errno);
  int status = 0;
  waitpid(pid, &status, __WALL);
  errno = 0;
  long word = ptrace(PTRACE_PEEKUSER, pid, 0, 0);
  int peek_errno = errno;
  ptrace(PTRACE_DETACH, pid, 0, 0);
  if (peek_errno != 0) succeeded("attached to pid %d (PEEKUSER failed: %s)", pid, errname(peek_errno));
  succeeded("attached to pid %d and read its registers (word 0 = %#lx)", pid, word);
}
