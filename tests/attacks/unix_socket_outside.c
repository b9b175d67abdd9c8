// unix_socket_outside: connect to a pathname unix socket outside every allowed path (argv[1],
// standing in for /var/run/docker.sock), which would hand the payload a host daemon's API.
// Stopped by: nothing in the bundle on this kernel: Landlock (up to ABI 7) does not check connect()
// to pathname unix sockets, and std.lang.python allows AF_UNIX. The policy's header requires
// keeping such sockets out of the sandbox's mount namespace; see README.md.
#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "PATH");
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (strlen(argv[1]) >= sizeof addr.sun_path) fail_usage(argv[0], "PATH (too long)");
  strcpy(addr.sun_path, argv[1]);
  // ENOENT is a block (the socket is not in the sandbox's view, the defence the policy asks for);
  // ECONNREFUSED means the runner's listener is gone, which proves nothing.
  int fd = connect_unix(&addr, sizeof addr, "connect to the unix socket outside");
  char buf[64] = {0};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n > 0) buf[strcspn(buf, "\n")] = 0;
  succeeded("connected to %s outside the sandbox, which said \"%s\"", argv[1], buf);
}
