// hardlink_escape: link() a secret outside every allowed path (argv[1]) into the workspace
// (argv[2]), where reading is allowed, then read it under its new name.
// Stopped by: Landlock (linking needs the source's rights at the destination: the secret's
// directory grants none, so the link is refused with EXDEV or EACCES).
#include <fcntl.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 3) fail_usage(argv[0], "SECRET LINK");
  unlink(argv[2]);
  if (link(argv[1], argv[2]) != 0) blocked_errno("link the secret into the workspace", errno);
  int fd = open(argv[2], O_RDONLY);
  int err = errno;
  unlink(argv[2]);
  if (fd < 0) blocked("link() succeeded, but open %s: %s", argv[2], errname(err));
  char buf[64] = {0};
  if (read(fd, buf, sizeof buf - 1) < 0) blocked_errno("read the hard link", errno);
  buf[strcspn(buf, "\n")] = 0;
  succeeded("hard-linked the secret into the workspace and read \"%s\"", buf);
}
