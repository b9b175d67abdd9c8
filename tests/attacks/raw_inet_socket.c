// raw_inet_socket: open an AF_INET SOCK_RAW socket, which forges IP packets of any protocol (and
// carries ICMP tunnels) without any connect() a port rule could check.
// Stopped by: seccomp (AF_INET sockets are allowed only as SOCK_STREAM and SOCK_DGRAM).
#include <netinet/in.h>
#include <sys/socket.h>

#include "attack.h"

int main(void) {
  int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd < 0) blocked_errno("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", errno);
  succeeded("opened an AF_INET raw ICMP socket (fd %d)", fd);
}
