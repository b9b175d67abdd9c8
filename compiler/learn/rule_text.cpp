// Stage: learn. One rule per observation (see rule_text.h for what each event becomes and why).
#include "compiler/learn/rule_text.h"

#include <arpa/inet.h>

#include <cstring>

#include "compiler/ir/landlock_names.h"
#include "compiler/learn/call_conditions.h"
#include "compiler/learn/path_text.h"
#include "compiler/learn/sensitive_paths.h"

namespace polc::learn {
namespace {

const ir::LandlockName* fs_right(std::string_view name) {
  for (const ir::LandlockName& r : ir::kFsRightNames)
    if (r.name == name) return &r;
  return nullptr;
}

bool on_parent(std::string_view right) {
  return right.substr(0, 5) == "make_" || right.substr(0, 7) == "remove_" || right == "refer";
}

// The address as the language writes it, or nullopt when it is not a plain IPv4/IPv6 address.
std::optional<std::string> address_token(const std::string& address) {
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, address.c_str(), buf) == 1) return inet_ntop(AF_INET, buf, out, sizeof out);
  if (inet_pton(AF_INET6, address.c_str(), buf) == 1) {
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(buf, mapped, 12) == 0) return inet_ntop(AF_INET, buf + 12, out, sizeof out);
    return inet_ntop(AF_INET6, buf, out, sizeof out);
  }
  return std::nullopt;
}

std::string with_refusal(std::string text, const Seen& seen) {
  if (seen.refused) text += seen.err ? ", refused with errno " + std::to_string(seen.err) : ", killed";
  return text;
}

}  // namespace

std::string seen_text(const Seen& seen, std::string_view unit) {
  std::string out = std::to_string(seen.count) + " " + std::string(unit);
  if (seen.count != 1) out += unit.back() == 's' ? "es" : "s";
  out += seen.runs.size() == 1 ? ", run " : ", runs ";
  bool first = true;
  for (int r : seen.runs) {
    out += (first ? "" : ",") + std::to_string(r);
    first = false;
  }
  return out;
}

std::optional<RuleText> rule_for(const Event& e, const Seen& seen) {
  if (const auto* call = std::get_if<Call>(&e)) {
    if (call->name.empty()) return std::nullopt;
    return RuleText{RuleText::Section::Syscalls, "allow " + call_target_text(*call),
                    with_refusal(seen_text(seen, "call"), seen)};
  }
  if (const auto* access = std::get_if<FileAccess>(&e)) {
    const ir::LandlockName* right = fs_right(access->right);
    if (right == nullptr || unrepresentable_reason(access->path)) return std::nullopt;
    std::string path = on_parent(access->right) ? parent_dir(access->path) : access->path;
    std::string comment = seen_text(seen, "access");
    if (path != access->path) comment += ", " + access->right + " of " + access->path;
    if (right->abi > 1) comment += ", needs landlock abi >= " + std::to_string(right->abi);
    if (sensitive_path(access->path)) comment += ", CREDENTIALS: review before granting";
    return RuleText{RuleText::Section::Filesystem, access->right + " " + quoted_path(path),
                    with_refusal(comment, seen)};
  }
  if (const auto* exec = std::get_if<Exec>(&e)) {
    if (unrepresentable_reason(exec->path)) return std::nullopt;
    return RuleText{RuleText::Section::Filesystem, "execute " + quoted_path(exec->path),
                    with_refusal(seen_text(seen, "exec"), seen)};
  }
  if (const auto* ep = std::get_if<Endpoint>(&e)) {
    if ((ep->proto != "tcp" && ep->proto != "udp") || ep->port == 0) return std::nullopt;
    std::string port = std::to_string(ep->port);
    if (ep->direction == Endpoint::Direction::Bind)
      return RuleText{RuleText::Section::Network, "bind " + ep->proto + " " + port,
                      with_refusal(seen_text(seen, "bind"), seen)};
    auto address = address_token(ep->address);
    if (!address) return std::nullopt;
    return RuleText{RuleText::Section::Network, "connect " + ep->proto + " " + port + " to " + *address,
                    with_refusal(seen_text(seen, "connection"), seen)};
  }
  return std::nullopt;  // NameLookup
}

}  // namespace polc::learn
