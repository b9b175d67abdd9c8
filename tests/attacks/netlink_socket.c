// netlink_socket: open an AF_NETLINK route socket and ask for the interface list, the interface
// to reconfigure routes, addresses and firewall rules (and a long-standing kernel attack surface).
// Stopped by: seccomp (socket domains other than AF_UNIX, AF_INET, AF_INET6 get EPERM).
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "attack.h"

int main(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) blocked_errno("socket(AF_NETLINK, NETLINK_ROUTE)", errno);
  struct {
    struct nlmsghdr nh;
    struct rtgenmsg g;
  } req;
  memset(&req, 0, sizeof req);
  req.nh.nlmsg_len = sizeof req;
  req.nh.nlmsg_type = RTM_GETLINK;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.g.rtgen_family = AF_UNSPEC;
  if (send(fd, &req, sizeof req, 0) < 0) succeeded("opened a netlink route socket (send: %s)", errname(errno));
  char buf[8192];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  succeeded("opened a netlink route socket and dumped %zd bytes of interface data", n);
}
