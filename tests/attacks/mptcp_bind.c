// mptcp_bind: bind and listen on a port the policy never grants (argv[1], on 127.0.0.1) with an
// MPTCP socket, socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP), and accept a peer's connection:
// Landlock's bind_tcp rule sees TCP sockets only, so this is the backdoor listener of tcp_bind
// with the port rules out of the way. The peer is a plain TCP client in a forked child (outside
// any rule it could meet: it connects after the listener is up, in the same process tree).
// Stopped by: the seccomp rule on socket(2) (python_agent allows stream sockets of protocol 0 or
// IPPROTO_TCP only, E0407).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>

#include "attack.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

int main(int argc, char** argv) {
  if (argc != 2) fail_usage(argv[0], "PORT");
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
  if (fd < 0) {
    // The kernel has no MPTCP, or net.mptcp.enabled is 0: there is nothing to attempt.
    if (errno == EPROTONOSUPPORT || errno == ENOPROTOOPT) untestable("socket(IPPROTO_MPTCP): %s", errname(errno));
    blocked_errno("socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)", errno);
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)atoi(argv[1]));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr*)&addr, sizeof addr) != 0)
    blocked("MPTCP bind 127.0.0.1:%s: %s", argv[1], errname(errno));
  if (listen(fd, 1) != 0) blocked("MPTCP listen on 127.0.0.1:%s: %s", argv[1], errname(errno));

  // A peer connects: the listener is reachable, not just bound.
  pid_t peer = attack_fork();
  if (peer < 0) untestable("fork: %s", errname(errno));
  if (peer == 0) {
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    _exit(c >= 0 && connect(c, (struct sockaddr*)&addr, sizeof addr) == 0 ? 0 : 1);
  }
  struct pollfd pfd = {fd, POLLIN, 0};
  const int ready = poll(&pfd, 1, 3000);
  int status = 0;
  waitpid(peer, &status, 0);
  if (ready == 1 && accept(fd, NULL, NULL) >= 0)
    succeeded("MPTCP socket listening on 127.0.0.1:%s accepted a peer's connection", argv[1]);
  // The listener is up either way, which is the escape; the peer is only the proof that it is
  // reachable (its own connect may meet the sandbox's connect rules).
  succeeded("MPTCP socket listening on 127.0.0.1:%s (the peer's connect: %s)", argv[1], wait_status_text(status));
}
