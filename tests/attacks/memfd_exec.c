// memfd_exec: copy an ELF (/usr/bin/echo, readable under /usr) into a memfd and execute it with
// execveat(AT_EMPTY_PATH), then with fexecve's /proc/self/fd fallback: code that has no path, so
// Landlock's `execute` right never sees it. On success the copied echo prints the SUCCEEDED line.
// Stopped by: seccomp (execveat is in no allowed group: default EPERM) and Landlock (/proc is not
// readable, and a memfd is not in any `execute` hierarchy).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "attack.h"

extern char** environ;

int main(void) {
  int src = open("/usr/bin/echo", O_RDONLY | O_CLOEXEC);
  if (src < 0) untestable("open /usr/bin/echo: %s", errname(errno));
  int mfd = memfd_create("polc-attack", 0);
  if (mfd < 0) blocked_errno("memfd_create", errno);
  char buf[65536];
  ssize_t n;
  while ((n = read(src, buf, sizeof buf)) > 0)
    if (write(mfd, buf, (size_t)n) != n) untestable("copy to memfd: %s", errname(errno));
  char* args[] = {"echo", "SUCCEEDED: executed a memfd copy of /usr/bin/echo", NULL};
  fflush(stdout);
  syscall(SYS_execveat, mfd, "", args, environ, AT_EMPTY_PATH);
  int err1 = errno;
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", mfd);
  execve(path, args, environ);
  int err2 = errno;
  blocked("execveat(memfd, AT_EMPTY_PATH): %s; execve(%s): %s", errname(err1), path, errname(err2));
}
