// mount_tmpfs: mount a tmpfs over a directory in the workspace (argv[1]); with mount an attacker
// can hide, replace or bind files in the sandbox's view. Unmounted again on success.
// Stopped by: seccomp (std.hardening kills @mount); Landlock also refuses mounts in its domain.
#include <sys/mount.h>
#include <sys/stat.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "DIR");
  if (mkdir(argv[1], 0700) != 0 && errno != EEXIST) untestable("mkdir %s: %s", argv[1], errname(errno));
  if (mount("polc-attack", argv[1], "tmpfs", 0, "size=64k") != 0) {
    int err = errno;
    rmdir(argv[1]);
    blocked_errno("mount tmpfs", err);
  }
  umount2(argv[1], MNT_DETACH);
  rmdir(argv[1]);
  succeeded("mounted a tmpfs on %s (unmounted again)", argv[1]);
}
