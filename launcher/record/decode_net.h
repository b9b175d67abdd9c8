// Stage: launcher (learning). The network side of a call:
//   connect, bind, and sendto/sendmsg/sendmmsg with a destination -> Endpoint (AF_INET and
//     AF_INET6 as "tcp" or "udp" by the socket's type and protocol, read from a copy of the
//     caller's descriptor; IPv4-mapped IPv6 written as IPv4; AF_UNIX as "unix" with the socket's
//     path or "@name"); bind on an AF_UNIX path also -> make_sock on the path.
//   A UDP send to port 53 (with a destination, or on a socket the same thread connected to port
//     53: send, sendto, sendmsg, sendmmsg, write) whose payload parses as a DNS query ->
//     NameLookup per question.
// Other families (netlink, packet, ...) and other protocols (raw, ICMP, SCTP) give no Endpoint.
#pragma once

#include <sys/types.h>

#include <set>
#include <utility>
#include <vector>

#include "compiler/learn/recording.h"
#include "launcher/record/call_context.h"
#include "launcher/record/decode_calls.h"

namespace polc::record {

// What the network decoder remembers between calls: the sockets (thread, descriptor) connected
// to a UDP port 53, whose later sends are DNS queries to decode. Bounded.
class NetState {
 public:
  bool dns_socket(pid_t pid, int fd) const { return !dns_.empty() && dns_.count({pid, fd}) > 0; }
  void set_dns_socket(pid_t pid, int fd, bool dns);

 private:
  std::set<std::pair<pid_t, int>> dns_;
};

// Appends the events of `call` (decoded by `decoder`, one of the network decoders).
void decode_net(Decoder decoder, const CallContext& call, NetState& state, std::vector<learn::Event>& out);

}  // namespace polc::record
