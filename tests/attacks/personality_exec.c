// personality_exec: set the READ_IMPLIES_EXEC persona, which makes every readable mapping
// executable (defeating W^X) for this process and its children.
// Stopped by: seccomp (std.hardening kills personality with any persona other than PER_LINUX,
// PER_LINUX32 or the query 0xffffffff).
#include <sys/personality.h>

#include "attack.h"

int main(void) {
  if (personality(PER_LINUX | READ_IMPLIES_EXEC) < 0) blocked_errno("personality(READ_IMPLIES_EXEC)", errno);
  int now = personality(0xffffffff);
  if (now >= 0 && (now & READ_IMPLIES_EXEC)) succeeded("persona is now %#x: readable implies executable", now);
  blocked("personality returned success but the persona is %#x", now);
}
