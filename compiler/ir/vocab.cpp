// Stage: ir. Printable names of vocabulary values.
#include "compiler/ir/vocab.h"

#include <arpa/inet.h>

namespace polc::ir {

std::string action_text(const Action& a) {
  std::string s(action_name(a.kind));
  if (a.kind == ActionKind::Errno || a.kind == ActionKind::Trace) s += "(" + std::to_string(a.data) + ")";
  return s;
}

std::string_view action_name(ActionKind k) {
  switch (k) {
    case ActionKind::KillProcess: return "kill_process";
    case ActionKind::KillThread: return "kill_thread";
    case ActionKind::Trap: return "trap";
    case ActionKind::Errno: return "errno";
    case ActionKind::UserNotif: return "user_notif";
    case ActionKind::Trace: return "trace";
    case ActionKind::Log: return "log";
    case ActionKind::Allow: return "allow";
  }
  return "?";
}

std::string_view direction_name(Direction d) {
  switch (d) {
    case Direction::Connect: return "connect";
    case Direction::Bind: return "bind";
    case Direction::Any: return "any";
  }
  return "?";
}

std::string_view proto_name(Proto p) {
  switch (p) {
    case Proto::Tcp: return "tcp";
    case Proto::Udp: return "udp";
    case Proto::Any: return "any";
  }
  return "?";
}

std::string host_to_string(const Host& h) {
  switch (h.kind) {
    case HostKind::Any: return "any";
    case HostKind::Domain: return (h.wildcard ? "*." : "") + h.domain;
    case HostKind::V4:
    case HostKind::V6: {
      char buf[INET6_ADDRSTRLEN] = {};
      inet_ntop(h.kind == HostKind::V4 ? AF_INET : AF_INET6, h.addr.data(), buf, sizeof buf);
      const unsigned full = h.kind == HostKind::V4 ? 32 : 128;
      std::string out = buf;
      if (h.prefix != full) out += "/" + std::to_string(h.prefix);
      return out;
    }
  }
  return "?";
}

}  // namespace polc::ir
