// tcp_connect: TCP connect to HOST PORT and read the listener's banner. The runner uses it for
// every address the policy forbids: a disallowed port on loopback, the cloud metadata service
// (169.254.169.254:80, also as the IPv4-mapped ::ffff:169.254.169.254), and the metadata address
// on the tool server's allowed port 8080.
// Stopped by: Landlock's connect_tcp port rules (ports the policy never allows) and the nftables
// rules (addresses: a port that is allowed elsewhere, metadata); which one the runner's table says.
// ECONNREFUSED is "untestable", not "blocked": it means nothing listens there (the run is not in
// the runner's namespace); the runner fails a confined run that is untestable only when confined.
#include <poll.h>

#include "attack.h"

int main(int argc, char** argv) {
  if (argc != 3) fail_usage(argv[0], "HOST PORT");
  struct addrinfo* ai = numeric_address(argv, SOCK_STREAM);
  int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) blocked_errno("socket", errno);
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno == ECONNREFUSED) untestable("connect %s port %s: nothing listens there", argv[1], argv[2]);
    if (errno != EINPROGRESS) blocked("connect %s port %s: %s", argv[1], argv[2], errname(errno));
    struct pollfd pfd = {fd, POLLOUT, 0};
    if (poll(&pfd, 1, 3000) != 1) blocked("connect %s port %s: no answer within 3 s (dropped)", argv[1], argv[2]);
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == ECONNREFUSED) untestable("connect %s port %s: nothing listens there", argv[1], argv[2]);
    if (err != 0) blocked("connect %s port %s: %s", argv[1], argv[2], errname(err));
  }
  struct pollfd pfd = {fd, POLLIN, 0};
  char buf[64] = {0};
  if (poll(&pfd, 1, 3000) == 1 && read(fd, buf, sizeof buf - 1) > 0) buf[strcspn(buf, "\r\n")] = 0;
  succeeded("connected to %s port %s, which said \"%s\"", argv[1], argv[2], buf);
}
