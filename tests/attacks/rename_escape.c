// rename_escape: move a file from outside every allowed path (argv[1]) into the workspace (argv[2])
// with rename(), taking it away from its owner and making it readable in the sandbox. Renamed back
// on success.
// Stopped by: Landlock (a rename needs remove rights at the source and the file's rights at the
// destination; the source directory grants none).
#include <fcntl.h>
#include <stdio.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 3) fail_usage(argv[0], "FILE DEST");
  if (rename(argv[1], argv[2]) != 0) blocked_errno("rename the file into the workspace", errno);
  char buf[64] = {0};
  int fd = open(argv[2], O_RDONLY);
  if (fd >= 0 && read(fd, buf, sizeof buf - 1) < 0) buf[0] = 0;
  buf[strcspn(buf, "\n")] = 0;
  if (rename(argv[2], argv[1]) != 0) fprintf(stderr, "could not move %s back: %s\n", argv[2], errname(errno));
  succeeded("moved %s into the workspace and read \"%s\" (moved back)", argv[1], buf);
}
