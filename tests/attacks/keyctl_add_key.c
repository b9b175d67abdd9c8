// keyctl_add_key: add a key to the process keyring and read it back through keyctl; the keyring
// is shared kernel state outside every filesystem rule (and has had its share of kernel bugs).
// Stopped by: seccomp (std.hardening kills @keyring: add_key, keyctl, request_key).
#include <linux/keyctl.h>
#include <sys/syscall.h>

#include "attack.h"

int main(void) {
  const char payload[] = "polc-attack-key";
  long key = syscall(SYS_add_key, "user", "polc-attack", payload, sizeof payload - 1, KEY_SPEC_PROCESS_KEYRING);
  if (key < 0) blocked_errno("add_key(\"user\")", errno);
  char back[64] = {0};
  long n = syscall(SYS_keyctl, KEYCTL_READ, key, back, sizeof back - 1);
  if (n < 0) succeeded("add_key created key %ld (KEYCTL_READ: %s)", key, errname(errno));
  succeeded("add_key created key %ld and keyctl read back \"%s\"", key, back);
}
