// no_new_privs: check whether exec could raise privileges. With PR_GET_NO_NEW_PRIVS == 0 a setuid
// or file-capability binary run from the sandbox would gain its owner's rights.
// Stopped by: the launcher (sbx-exec sets no_new_privs before it installs seccomp and Landlock).
#include <sys/prctl.h>

#include "attack.h"

int main(void) {
  int nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  if (nnp < 0) blocked_errno("prctl(PR_GET_NO_NEW_PRIVS)", errno);
  if (nnp == 0) succeeded("no_new_privs is 0: setuid binaries would raise privileges");
  blocked("no_new_privs is %d: exec can never gain privileges", nnp);
}
