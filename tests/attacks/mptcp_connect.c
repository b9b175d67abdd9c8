// mptcp_connect: connect to HOST PORT with an MPTCP socket, socket(AF_INET or AF_INET6,
// SOCK_STREAM, IPPROTO_MPTCP), and read the listener's banner. Landlock's connect_tcp rule sees
// TCP sockets only; an MPTCP client falls back to plain TCP against an ordinary server, so this is
// tcp_connect with the port rules out of the way. The runner points it at a port the policy never
// allows (127.0.0.1:9090).
// Stopped by: the seccomp rule on socket(2) (python_agent allows stream sockets of protocol 0 or
// IPPROTO_TCP only, E0407); nftables would drop the connection's packets too, which are TCP on
// the wire.
// ECONNREFUSED is "untestable": nothing listens there (the run is not in the runner's namespace).
#include <poll.h>

#include "attack.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

int main(int argc, char** argv) {
  if (argc != 3) fail_usage(argv[0], "HOST PORT");
  struct addrinfo* ai = numeric_address(argv, SOCK_STREAM);
  int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_MPTCP);
  if (fd < 0) {
    if (errno == EPROTONOSUPPORT || errno == ENOPROTOOPT) untestable("socket(IPPROTO_MPTCP): %s", errname(errno));
    blocked_errno("socket(SOCK_STREAM, IPPROTO_MPTCP)", errno);
  }
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno == ECONNREFUSED) untestable("connect %s port %s: nothing listens there", argv[1], argv[2]);
    if (errno != EINPROGRESS) blocked("MPTCP connect %s port %s: %s", argv[1], argv[2], errname(errno));
    struct pollfd pfd = {fd, POLLOUT, 0};
    if (poll(&pfd, 1, 3000) != 1) blocked("MPTCP connect %s port %s: no answer within 3 s (dropped)", argv[1], argv[2]);
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == ECONNREFUSED) untestable("connect %s port %s: nothing listens there", argv[1], argv[2]);
    if (err != 0) blocked("MPTCP connect %s port %s: %s", argv[1], argv[2], errname(err));
  }
  struct pollfd pfd = {fd, POLLIN, 0};
  char buf[64] = {0};
  if (poll(&pfd, 1, 3000) == 1 && read(fd, buf, sizeof buf - 1) > 0) buf[strcspn(buf, "\r\n")] = 0;
  succeeded("MPTCP socket connected to %s port %s, which said \"%s\"", argv[1], argv[2], buf);
}
