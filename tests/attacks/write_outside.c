// write_outside: create and write a file in a directory outside every writable path (argv[1], a
// runner-created directory under /var/tmp). Removed again on success.
// Stopped by: Landlock (write and make_reg are granted only beneath /workspace, /tmp, /dev/null).
#include <fcntl.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/escaped-write", argv[1]);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) blocked_errno("create a file outside the workspace", errno);
  const char text[] = "written from inside the sandbox\n";
  ssize_t n = write(fd, text, sizeof text - 1);
  close(fd);
  unlink(path);
  succeeded("created %s and wrote %zd bytes (removed again)", path, n);
}
