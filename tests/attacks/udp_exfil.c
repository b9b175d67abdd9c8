// udp_exfil: send a datagram to HOST PORT over UDP and wait for the echo: exfiltration (DNS
// tunnels, a collector) over a protocol the policy grants no destination for.
// Stopped by: the nftables rules (Landlock's network rules cover only TCP).
// ECONNREFUSED (port unreachable) is "untestable": nothing listens there.
#include <poll.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 3) fail_usage(argv[0], "HOST PORT");
  struct addrinfo* ai = numeric_address(argv, SOCK_DGRAM);
  int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) blocked_errno("socket(SOCK_DGRAM)", errno);
  const char msg[] = "exfiltrated-4711";
  if (sendto(fd, msg, sizeof msg - 1, 0, ai->ai_addr, ai->ai_addrlen) < 0)
    blocked("sendto %s port %s: %s", argv[1], argv[2], errname(errno));
  struct pollfd pfd = {fd, POLLIN, 0};
  if (poll(&pfd, 1, 3000) != 1) blocked("sendto %s port %s: no echo within 3 s (dropped)", argv[1], argv[2]);
  char buf[64] = {0};
  ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
  if (n < 0 && errno == ECONNREFUSED) untestable("recv from %s port %s: nothing listens there", argv[1], argv[2]);
  if (n < 0) blocked("recv from %s port %s: %s", argv[1], argv[2], errname(errno));
  succeeded("a datagram reached %s port %s and came back as \"%s\"", argv[1], argv[2], buf);
}
