// packet_socket: open an AF_PACKET raw socket, which sees and forges every frame on the host's
// interfaces below the IP layer, past every firewall rule.
// Stopped by: seccomp (socket domains other than AF_UNIX, AF_INET, AF_INET6 get EPERM).
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <sys/socket.h>

#include "attack.h"

int main(void) {
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
  if (fd < 0) blocked_errno("socket(AF_PACKET, SOCK_RAW)", errno);
  succeeded("opened an AF_PACKET raw socket (fd %d)", fd);
}
