// exec_dropped: drop a native binary into the workspace (a copy of /usr/bin/echo at argv[1]),
// chmod +x, and execve it directly, as a payload that downloaded a tool would.
// Stopped by: Landlock (the workspace has no `execute` right).
#include <fcntl.h>
#include <sys/stat.h>

#include "attack.h"

extern char** environ;

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "DEST");
  int src = open("/usr/bin/echo", O_RDONLY | O_CLOEXEC);
  if (src < 0) untestable("open /usr/bin/echo: %s", errname(errno));
  unlink(argv[1]);
  int dst = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  if (dst < 0) untestable("create %s: %s", argv[1], errname(errno));
  char buf[65536];
  ssize_t n;
  while ((n = read(src, buf, sizeof buf)) > 0)
    if (write(dst, buf, (size_t)n) != n) untestable("copy: %s", errname(errno));
  close(dst);
  if (chmod(argv[1], 0755) != 0) untestable("chmod: %s", errname(errno));
  char* args[] = {argv[1], "SUCCEEDED: executed a binary dropped into the workspace", NULL};
  fflush(stdout);
  execve(argv[1], args, environ);
  int err = errno;
  unlink(argv[1]);
  blocked_errno("execve of the dropped binary", err);
}
