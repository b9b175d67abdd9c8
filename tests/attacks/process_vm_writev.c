// process_vm_writev: write into another process's memory without ptrace: the parent overwrites a
// flag in a forked child, which reports whether its memory changed.
// Stopped by: seccomp (std.hardening kills @debugging, process_vm_writev included).
#include <sys/uio.h>

#include "attack.h"

static volatile int flag = 0;

int main(void) {
  int go[2];
  if (pipe(go) != 0) untestable("pipe: %s", errname(errno));
  pid_t child = attack_fork();
  if (child < 0) untestable("fork: %s", errname(errno));
  if (child == 0) {
    char c;
    if (read(go[0], &c, 1) != 1) _exit(3);
    _exit(flag == 0x4711 ? 0 : 1);
  }
  int value = 0x4711;
  struct iovec local = {&value, sizeof value}, remote = {(void*)&flag, sizeof flag};
  ssize_t n = process_vm_writev(child, &local, 1, &remote, 1, 0);
  int err = errno;
  if (write(go[1], "x", 1) != 1) untestable("pipe write failed");
  int status = 0;
  waitpid(child, &status, 0);
  if (n < 0) blocked_errno("process_vm_writev", err);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    succeeded("wrote %#x into child %d's memory and the child saw it", value, child);
  blocked("process_vm_writev returned %zd but the child saw no change (%s)", n, wait_status_text(status));
}
