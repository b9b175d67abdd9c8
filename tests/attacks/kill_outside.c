// kill_outside: send a signal to a process outside the sandbox (a `sleep` the runner started, pid
// argv[1]). SIGCONT is harmless to it, but any signal that gets through could as well be SIGKILL.
// Stopped by: Landlock's signal scope (ABI 6: signals only to processes in the same domain).
#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "PID");
  pid_t pid = (pid_t)atoi(argv[1]);
  if (kill(pid, SIGCONT) != 0) blocked_errno("kill(SIGCONT) to a process outside", errno);
  succeeded("delivered SIGCONT to pid %d outside the sandbox", pid);
}
