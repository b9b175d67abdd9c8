// symlink_escape: plant a symlink in the workspace (argv[2]) that points at a secret outside it
// (argv[1]) and read the secret through it: a path check on the link's own name would allow this.
// Stopped by: Landlock (it checks the file the link resolves to, which is outside every rule).
#include <fcntl.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 3) fail_usage(argv[0], "SECRET LINK");
  unlink(argv[2]);
  if (symlink(argv[1], argv[2]) != 0) untestable("symlink in the workspace: %s", errname(errno));
  int fd = open(argv[2], O_RDONLY);
  int err = errno;
  unlink(argv[2]);
  if (fd < 0) blocked_errno("open the secret through a workspace symlink", err);
  char buf[64] = {0};
  if (read(fd, buf, sizeof buf - 1) < 0) blocked_errno("read through the symlink", errno);
  buf[strcspn(buf, "\n")] = 0;
  succeeded("read \"%s\" through the symlink %s", buf, argv[2]);
}
