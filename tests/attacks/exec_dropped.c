// exec_dropped: drop a native binary into the workspace (a copy of /usr/bin/echo at argv[1]),
// chmod +x, and execve it directly, as a payload that downloaded a tool would.
// Stopped by: Landlock (the workspace has no `execute` right).
#include <sys/stat.h>

#include "attack.h"

extern char** environ;

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "DEST");
  drop_copy("/usr/bin/echo", argv[1], 0755);
  if (chmod(argv[1], 0755) != 0) untestable("chmod: %s", errname(errno));
  char* args[] = {argv[1], "SUCCEEDED: executed a binary dropped into the workspace", NULL};
  fflush(stdout);
  execve(argv[1], args, environ);
  int err = errno;
  unlink(argv[1]);
  blocked_errno("execve of the dropped binary", err);
}
