// Stage: learn. Policy decisions for recorded events (judge.h).
#include "compiler/learn/judge.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>

#include "compiler/ir/evaluate.h"
#include "compiler/ir/evaluate_access.h"
#include "compiler/ir/landlock_names.h"
#include "compiler/learn/path_text.h"

namespace polc::learn {

namespace {

Judgement judge_call(const ir::Policy& policy, const Call& call) {
  int32_t nr = call.nr;
  if (call.arch == arch::Arch::x32) nr = static_cast<int32_t>(static_cast<uint32_t>(nr) | arch::kX32SyscallBit);
  const ir::SyscallDecision d = ir::decide(policy, arch::audit_arch(call.arch), nr, call.args);
  Judgement j;
  switch (d.action.kind) {
    case ir::ActionKind::Allow:
    case ir::ActionKind::Log: return j;
    case ir::ActionKind::Errno:
      j.kind = Judgement::Kind::Refuse;
      j.err = d.action.data;
      break;
    case ir::ActionKind::UserNotif:
    case ir::ActionKind::Trace:
      // Without a supervisor or tracer attached the kernel fails these calls with ENOSYS.
      j.kind = Judgement::Kind::Refuse;
      j.err = ENOSYS;
      break;
    default: j.kind = Judgement::Kind::Kill; break;
  }
  if (d.reason == ir::SyscallDecision::Reason::Rules) {
    for (const ir::SyscallRule* r : d.matched)
      if (r->action == d.action && !r->origins.empty()) j.deciding.push_back(r->origins.front());
  } else if (d.reason == ir::SyscallDecision::Reason::Foreign) {
    j.default_text = "foreign architecture";
  } else {
    j.default_text = "default " + ir::action_text(d.action);
  }
  return j;
}

std::optional<uint64_t> right_bit(const std::string& name) {
  for (const auto& r : ir::kFsRightNames)
    if (r.name == name) return r.bit;
  return std::nullopt;
}

Judgement judge_file(const ir::Policy& policy, const FileAccess& access) {
  Judgement j;
  if (policy.filesystem.present && through_magic_link(access.path)) {
    // What the link reaches is not what the name says: refused, as the closed default.
    j.kind = Judgement::Kind::Refuse;
    j.err = EACCES;
    j.default_text = "a path through a /proc magic link cannot be judged by its name";
    return j;
  }
  const auto bit = right_bit(access.right);
  if (!bit) return j;
  const ir::FsDecision d = ir::decide_fs(policy.filesystem, checked_path(access.path, access.right), *bit);
  if (d.allowed) return j;
  j.kind = Judgement::Kind::Refuse;
  j.err = EACCES;
  if (d.reason == ir::FsDecision::Reason::Denied) j.deciding = d.deciding;
  else j.default_text = "no filesystem rule grants " + access.right;
  return j;
}

std::optional<ir::IpAddress> parse_address(const std::string& text) {
  ir::IpAddress a{};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    a[10] = a[11] = 0xff;
    std::memcpy(&a[12], &v4, 4);
    return a;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::memcpy(a.data(), &v6, 16);
    return a;
  }
  return std::nullopt;
}

Judgement judge_endpoint(const ir::Policy& policy, const Endpoint& e) {
  Judgement j;
  if (e.proto != "tcp" && e.proto != "udp") return j;
  ir::NetRequest r;
  r.direction = e.direction == Endpoint::Direction::Bind ? ir::Direction::Bind : ir::Direction::Connect;
  r.proto = e.proto == "tcp" ? ir::Proto::Tcp : ir::Proto::Udp;
  r.port = e.port;
  if (r.direction == ir::Direction::Connect) {
    const auto addr = parse_address(e.address);
    if (!addr) return j;
    r.dest = ir::NetRequest::Dest::Address;
    r.addr = *addr;
  }
  const ir::NetDecision d = ir::decide_net(policy.network, r);
  if (d.allowed) return j;
  j.kind = Judgement::Kind::Refuse;
  j.err = EACCES;
  if (d.reason == ir::NetDecision::Reason::Denied) j.deciding = d.deciding;
  else j.default_text = "no network rule allows " + ir::request_text(r);
  return j;
}

}  // namespace

std::string checked_path(const std::string& path, const std::string& right) {
  const bool on_parent = right.starts_with("make_") || right.starts_with("remove_") || right == "refer";
  if (!on_parent || path == "/") return path;
  const size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

Judgement judge(const ir::Policy& policy, const Event& event) {
  if (const auto* c = std::get_if<Call>(&event)) return judge_call(policy, *c);
  if (const auto* f = std::get_if<FileAccess>(&event)) return judge_file(policy, *f);
  if (const auto* e = std::get_if<Endpoint>(&event)) return judge_endpoint(policy, *e);
  return {};
}

}  // namespace polc::learn
