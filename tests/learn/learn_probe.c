// learn_probe DIR PORT: a workload with one of each kind of thing polc learn records, for the
// `polc learn --against` table (tests/learn/against_table.py). Every step is attempted whatever
// the previous ones got, so that a policy missing one permission refuses exactly one step; each
// step prints one line "STEP ok" or "STEP failed: errno".
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static void report(const char* step, long rc) {
  if (rc < 0) printf("%s failed: %s\n", step, strerrorname_np(errno));
  else printf("%s ok\n", step);
  fflush(stdout);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: learn_probe DIR PORT\n");
    return 2;
  }
  const char* dir = argv[1];
  const int port = atoi(argv[2]);
  char path[4096];

  struct utsname u;
  report("uname", uname(&u));
  report("prctl", prctl(PR_SET_NAME, "learn-probe", 0, 0, 0));
  report("setresuid", setresuid((uid_t)-1, getuid(), (uid_t)-1));
  void* m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  report("mmap", m == MAP_FAILED ? -1 : 0);

  snprintf(path, sizeof path, "%s/in.txt", dir);
  int fd = open(path, O_RDONLY);
  report("read", fd);
  if (fd >= 0) close(fd);

  snprintf(path, sizeof path, "%s/out/new.txt", dir);
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  report("create", fd);
  if (fd >= 0) {
    report("write", write(fd, "x\n", 2));
    close(fd);
  }
  // Truncating an existing file (Landlock's truncate right; a file open creates is not truncated).
  snprintf(path, sizeof path, "%s/trunc.txt", dir);
  fd = open(path, O_WRONLY | O_TRUNC);
  report("truncate", fd);
  if (fd >= 0) close(fd);

  snprintf(path, sizeof path, "%s/out/sub", dir);
  report("mkdir", mkdir(path, 0755));

  int pipefd[2];
  if (pipe(pipefd) == 0) {
    int n = 0;
    report("ioctl", ioctl(pipefd[0], FIONREAD, &n));
  }

  int s = socket(AF_INET, SOCK_STREAM, 0);
  report("socket", s);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  report("connect", connect(s, (struct sockaddr*)&a, sizeof a));
  if (s >= 0) close(s);
  return 0;
}
