// Stage: learn. Replaying one observation through the IR evaluator (see replay.h).
#include "compiler/learn/replay.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

#include "compiler/ir/evaluate.h"
#include "compiler/ir/evaluate_access.h"
#include "compiler/learn/path_text.h"

namespace polc::learn {
namespace {

bool on_parent(std::string_view right) {
  return right.substr(0, 5) == "make_" || right.substr(0, 7) == "remove_" || right == "refer";
}

std::optional<std::string> fs_refusal(const ir::Policy& policy, std::string_view path, std::string_view right) {
  for (const ir::LandlockName& r : ir::kFsRightNames) {
    if (r.name != right) continue;
    ir::FsDecision d = ir::decide_fs(policy.filesystem, path, r.bit);
    if (d.allowed) return std::nullopt;
    return d.reason == ir::FsDecision::Reason::Denied ? "denied" : "not granted";
  }
  return "unknown right " + std::string(right);
}

std::optional<ir::IpAddress> parse_address(const std::string& text) {
  ir::IpAddress addr{};
  unsigned char v4[4];
  if (inet_pton(AF_INET, text.c_str(), v4) == 1) {
    addr[10] = addr[11] = 0xff;
    std::memcpy(addr.data() + 12, v4, 4);
    return addr;
  }
  if (inet_pton(AF_INET6, text.c_str(), addr.data()) == 1) return addr;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> refusal(const ir::Policy& policy, const Event& event) {
  if (const auto* call = std::get_if<Call>(&event)) {
    ir::SyscallDecision d = ir::decide(policy, arch::audit_arch(call->arch), call->nr, call->args);
    if (d.reason == ir::SyscallDecision::Reason::Foreign) return "not a target architecture";
    if (d.action.kind == ir::ActionKind::Allow || d.action.kind == ir::ActionKind::Log) return std::nullopt;
    return ir::action_text(d.action);
  }
  if (const auto* access = std::get_if<FileAccess>(&event))
    return fs_refusal(policy, on_parent(access->right) ? parent_dir(access->path) : access->path, access->right);
  if (const auto* exec = std::get_if<Exec>(&event)) return fs_refusal(policy, exec->path, "execute");
  if (const auto* ep = std::get_if<Endpoint>(&event)) {
    if ((ep->proto != "tcp" && ep->proto != "udp") || ep->port == 0) return std::nullopt;
    ir::NetRequest r;
    r.proto = ep->proto == "tcp" ? ir::Proto::Tcp : ir::Proto::Udp;
    r.port = ep->port;
    if (ep->direction == Endpoint::Direction::Bind) {
      r.direction = ir::Direction::Bind;
    } else {
      r.direction = ir::Direction::Connect;
      auto addr = parse_address(ep->address);
      if (!addr) return "an address no rule can name";
      r.dest = ir::NetRequest::Dest::Address;
      r.addr = *addr;
    }
    ir::NetDecision d = ir::decide_net(policy.network, r);
    if (d.allowed) return std::nullopt;
    return d.reason == ir::NetDecision::Reason::Denied ? "denied" : "not allowed";
  }
  return std::nullopt;
}

std::string observation_text(const Event& event) {
  if (const auto* call = std::get_if<Call>(&event)) {
    std::string out = std::string(arch::name(call->arch)) + " " +
                      (call->name.empty() ? "syscall " + std::to_string(call->nr) : call->name);
    if (call->recorded) {
      int last = 5;
      while (last >= 0 && !(call->recorded & (1u << last))) --last;
      out += "(";
      for (int i = 0; i <= last; ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s0x%llx", i ? ", " : "", static_cast<unsigned long long>(call->args[i]));
        out += buf;
      }
      out += ")";
    }
    return out;
  }
  if (const auto* access = std::get_if<FileAccess>(&event)) return access->right + " " + printable_path(access->path);
  if (const auto* exec = std::get_if<Exec>(&event)) return "exec " + printable_path(exec->path);
  if (const auto* ep = std::get_if<Endpoint>(&event))
    return std::string(direction_name(ep->direction)) + " " + ep->proto + " " + printable_path(ep->address) +
           (ep->port ? " port " + std::to_string(ep->port) : "");
  return "lookup " + printable_path(std::get<NameLookup>(event).name);
}

}  // namespace polc::learn
