// chmod_outside: make a secret outside every allowed path (argv[1], mode 0600) readable by everyone
// with chmod, so a process outside the sandbox (or a later run) can read it. The runner restores
// the mode.
// Stopped by: only ordinary file permissions: Landlock does not confine chmod, chown or utimes.
// The policy says to run the sandbox as a user that owns nothing outside /workspace; as root
// nothing stops this (see README.md).
#include <sys/stat.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "FILE");
  if (chmod(argv[1], 0644) != 0) blocked_errno("chmod 0644 on a file outside the sandbox", errno);
  struct stat st;
  if (stat(argv[1], &st) == 0 && (st.st_mode & 07777) == 0644)
    succeeded("chmod made %s world-readable (mode 0644)", argv[1]);
  blocked("chmod returned 0 but the mode is %o", (unsigned)(st.st_mode & 07777));
}
