// chroot_escape: chroot into a workspace directory (argv[1]), the first step of the classic
// "chroot, then chdir .. past the new root" escape from a chroot-based jail; changing the root
// directory is a privilege the sandbox must not have.
// Stopped by: seccomp (std.hardening kills @mount, chroot and pivot_root included).
#include <sys/stat.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "DIR");
  if (mkdir(argv[1], 0700) != 0 && errno != EEXIST) untestable("mkdir %s: %s", argv[1], errname(errno));
  int err = chroot(argv[1]) == 0 ? 0 : errno;
  rmdir(argv[1]);
  if (err != 0) blocked_errno("chroot", err);
  succeeded("chroot(%s) succeeded: the process can change its root directory", argv[1]);
}
