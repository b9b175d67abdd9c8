// tcp_bind: bind and listen on a TCP port the policy does not allow (argv[1], on 127.0.0.1): a
// payload offering a backdoor service, or squatting a port a host service will want.
// Stopped by: Landlock's bind_tcp rule (no port is bindable under python_agent).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "PORT");
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) blocked_errno("socket", errno);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)atoi(argv[1]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr*)&addr, sizeof addr) != 0) blocked("bind 127.0.0.1:%s: %s", argv[1], errname(errno));
  if (listen(fd, 1) != 0) blocked("listen on 127.0.0.1:%s: %s", argv[1], errname(errno));
  succeeded("listening on 127.0.0.1:%s", argv[1]);
}
