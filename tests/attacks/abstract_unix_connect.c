// abstract_unix_connect: connect to an abstract unix socket (name argv[1], without the leading
// NUL) that a process outside the sandbox listens on, as D-Bus, X11 and many local daemons do;
// no filesystem path is involved. The listener answers with a banner.
// Stopped by: Landlock's abstract_unix_socket scope (ABI 6).
#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "NAME");
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  size_t len = strlen(argv[1]);
  if (len + 1 > sizeof addr.sun_path) fail_usage(argv[0], "NAME (too long)");
  memcpy(addr.sun_path + 1, argv[1], len);
  socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
  // Abstract names belong to a network namespace: ECONNREFUSED means the run is not in the
  // runner's namespace, which proves nothing either way.
  int fd = connect_unix(&addr, addr_len, "connect to the abstract socket");
  char buf[64] = {0};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n > 0) buf[strcspn(buf, "\n")] = 0;
  succeeded("connected to @%s outside the sandbox, which said \"%s\"", argv[1], buf);
}
