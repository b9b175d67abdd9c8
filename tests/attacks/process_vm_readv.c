// process_vm_readv: read another process's memory without ptrace: a forked child writes a secret
// into a buffer after the fork, the parent reads it from the child's address space.
// Stopped by: seccomp (std.hardening kills @debugging, process_vm_readv included).
#include <sys/uio.h>

#include "attack.h"

static char buffer[32];

int main(void) {
  int ready[2];
  if (pipe(ready) != 0) untestable("pipe: %s", errname(errno));
  pid_t child = attack_fork();
  if (child < 0) untestable("fork: %s", errname(errno));
  if (child == 0) {
    strcpy(buffer, "child-secret-4711");
    if (write(ready[1], "x", 1) != 1) _exit(3);
    for (;;) pause();
  }
  char c;
  if (read(ready[0], &c, 1) != 1) untestable("child did not start");
  char got[32] = {0};
  struct iovec local = {got, sizeof got - 1}, remote = {buffer, sizeof got - 1};
  ssize_t n = process_vm_readv(child, &local, 1, &remote, 1, 0);
  int err = errno;
  kill(child, SIGKILL);
  if (n < 0) blocked_errno("process_vm_readv", err);
  if (strcmp(got, "child-secret-4711") != 0) blocked("process_vm_readv read %zd bytes but not the secret", n);
  succeeded("read \"%s\" from child %d's memory", got, child);
}
