// Stage: launcher telemetry. The lookup from a refusal to the statement that decided it (see
// attribution.h). The launcher links no compiler library, so the few meanings it needs (argument
// comparisons, path beneath, domain and address matching) are restated here from the IR's
// definitions; tests/unit/attribution_test.cpp checks them against the compiler's own.
#include "launcher/telemetry/attribution.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

namespace polc::telemetry {

namespace {

// ---- seccomp ----

// The action kinds from most to least restrictive (the kernel's precedence, ir::ActionKind).
constexpr std::string_view kKinds[] = {"kill_process", "kill_thread", "trap", "errno",
                                       "user_notif",   "trace",       "log",  "allow"};

std::string_view kind_of(std::string_view decision) { return decision.substr(0, decision.find('(')); }

// (kind rank, data): smaller is more restrictive; the lowest errno wins among errnos, as in
// ir::more_restrictive.
std::pair<size_t, uint64_t> restrictiveness(const bundle::AttrSyscallRule& rule) {
  const std::string_view kind = kind_of(rule.decision);
  size_t rank = std::size(kKinds);
  for (size_t i = 0; i < std::size(kKinds); ++i)
    if (kKinds[i] == kind) rank = i;
  return {rank, rule.data};
}

uint64_t width_mask(unsigned bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

// ir::holds: the register truncated to the comparison's width, compared unsigned.
bool holds(const bundle::AttrArgCmp& cmp, uint64_t reg) {
  const uint64_t x = reg & width_mask(cmp.width);
  if (cmp.op == "eq") return x == cmp.value;
  if (cmp.op == "ne") return x != cmp.value;
  if (cmp.op == "lt") return x < cmp.value;
  if (cmp.op == "le") return x <= cmp.value;
  if (cmp.op == "gt") return x > cmp.value;
  if (cmp.op == "ge") return x >= cmp.value;
  if (cmp.op == "masked_eq") return (x & cmp.mask) == cmp.value;
  if (cmp.op == "masked_ne") return (x & cmp.mask) != cmp.value;
  return false;
}

bool holds(const bundle::AttrCondition& when, const std::vector<uint64_t>& args) {
  return std::any_of(when.begin(), when.end(), [&](const auto& clause) {
    return std::all_of(clause.begin(), clause.end(), [&](const bundle::AttrArgCmp& c) {
      return holds(c, c.arg < args.size() ? args[c.arg] : 0);  // missing arguments read as 0
    });
  });
}

void append_unique(std::vector<std::string>& out, const std::vector<std::string>& more) {
  for (const std::string& s : more)
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
}

// ---- landlock ----

// ir::beneath: the rule's path itself and everything under it.
bool beneath(std::string_view path, std::string_view rule) {
  if (rule == "/") return !path.empty() && path.front() == '/';
  return path == rule || (path.size() > rule.size() && path.starts_with(rule) && path[rule.size()] == '/');
}

// Audit names rights "fs.read_file", "net.connect_tcp"; landlock.json and the policy say
// "read_file", "connect_tcp".
std::string bare_right(std::string_view right) {
  if (const size_t dot = right.find('.'); dot != std::string_view::npos) right.remove_prefix(dot + 1);
  return std::string(right);
}

bool port_in(const bundle::AttrPorts& ports, int64_t port) {
  if (ports.empty()) return true;
  return std::any_of(ports.begin(), ports.end(), [&](const auto& r) { return port >= r.first && port <= r.second; });
}

// ---- proxy ----

// An address in one 128-bit space, IPv4 as IPv4-mapped IPv6 (as ir::address_of does).
std::optional<std::array<uint8_t, 16>> parse_address(const std::string& text, unsigned& full_prefix) {
  std::array<uint8_t, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    full_prefix = 32;
    return out;
  }
  if (inet_pton(AF_INET6, text.c_str(), out.data()) == 1) {
    full_prefix = 128;
    return out;
  }
  return std::nullopt;
}

bool in_block(const std::string& address, const std::string& block) {
  unsigned full = 0, block_full = 0;
  const auto addr = parse_address(address, full);
  const size_t slash = block.find('/');
  const auto base = parse_address(block.substr(0, slash), block_full);
  if (!addr || !base) return false;
  unsigned prefix = block_full;
  if (slash != std::string::npos) prefix = static_cast<unsigned>(std::strtoul(block.c_str() + slash + 1, nullptr, 10));
  if (block_full == 32) prefix += 96;
  for (unsigned bit = 0; bit < prefix && bit < 128; ++bit) {
    const uint8_t m = static_cast<uint8_t>(0x80 >> (bit % 8));
    if (((*addr)[bit / 8] & m) != ((*base)[bit / 8] & m)) return false;
  }
  return true;
}

// ir::domain_matches: the name itself, or for "*.base" every strict subdomain of base.
bool domain_matches(std::string_view pattern, std::string_view name) {
  if (!pattern.starts_with("*.")) return name == pattern;
  const std::string_view base = pattern.substr(2);
  return name.size() > base.size() + 1 && name.ends_with(base) && name[name.size() - base.size() - 1] == '.';
}

std::string lowercase_name(std::string name) {
  for (char& c : name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (!name.empty() && name.back() == '.') name.pop_back();  // "pypi.org." is "pypi.org"
  return name;
}

bool admits(const bundle::AttrProxyRule& r, const Request& req, const std::string& domain) {
  if (req.port && !port_in(r.ports, *req.port)) return false;
  if (r.domains.empty() && r.addresses.empty()) return true;
  for (const std::string& d : r.domains)
    if (!domain.empty() && domain_matches(d, domain)) return true;
  for (const std::string& a : r.addresses)
    if (req.address && in_block(*req.address, a)) return true;
  return false;
}

}  // namespace

Attributor::Attributor(bundle::Attribution attribution, const std::vector<bundle::ManifestStatement>& coverage)
    : attribution_(std::move(attribution)) {
  for (const bundle::ManifestStatement& s : coverage) texts_.emplace(s.at, s.statement);
}

void Attributor::set_rule(RuleRef& rule, const std::vector<std::string>& locations, bool is_default) const {
  rule = {};
  rule.known = true;
  rule.is_default = is_default;
  if (locations.empty()) return;
  rule.at = locations.front();
  const auto text = texts_.find(rule.at);
  rule.text = text != texts_.end() ? text->second : "";
  // Rules polc adds have no text of their own: their description is their location.
  if (rule.text.empty() && rule.at.rfind("implicit", 0) == 0) rule.text = rule.at;
  if (locations.size() > 1) rule.candidates = locations;
}

void Attributor::name_syscall(Event& event) const {
  if (event.request.syscall || !event.request.nr || !event.request.arch || !attribution_.seccomp) return;
  for (const bundle::AttrSeccompArch& arch : attribution_.seccomp->arches) {
    if (arch.arch != *event.request.arch) continue;
    // The record gives the number; the bundle names it (attribution.json's table, from the build).
    const auto named = std::lower_bound(arch.names.begin(), arch.names.end(),
                                        std::pair<int64_t, std::string>{*event.request.nr, std::string()});
    if (named != arch.names.end() && named->first == *event.request.nr) event.request.syscall = named->second;
  }
}

void Attributor::attribute(Event& event, std::string_view nflog_prefix) const {
  name_syscall(event);
  event.rule = {};
  switch (event.layer) {
    case Layer::Seccomp: seccomp(event); break;
    case Layer::Landlock: landlock(event); break;
    case Layer::Nftables: nftables(event, nflog_prefix); break;
    case Layer::Proxy: proxy(event); break;
    case Layer::Launcher: break;
    case Layer::Limits: break;  // the supervisor attributes a limit from the os section itself
  }
}

void Attributor::seccomp(Event& event) const {
  if (!attribution_.seccomp || !event.request.arch) return;
  const bundle::AttrSeccomp& s = *attribution_.seccomp;
  const auto arch =
      std::find_if(s.arches.begin(), s.arches.end(), [&](const auto& a) { return a.arch == *event.request.arch; });
  // A call of an architecture the policy does not target is killed by every program, by no
  // statement of the policy.
  if (arch == s.arches.end()) return;
  const Request& req = event.request;
  auto on_call = [&](const bundle::AttrSyscallRule& r) {
    return req.nr ? r.nr == *req.nr : req.syscall && r.syscall == *req.syscall;
  };
  const std::vector<std::string> default_at = s.default_at ? std::vector{*s.default_at} : std::vector<std::string>{};
  const std::string_view recorded = kind_of(event.decision);

  // With the arguments the decision is exact: the most restrictive rule whose condition holds.
  if (req.args) {
    const bundle::AttrSyscallRule* winner = nullptr;
    for (const bundle::AttrSyscallRule& r : arch->rules)
      if (on_call(r) && holds(r.when, *req.args) && (!winner || restrictiveness(r) < restrictiveness(*winner)))
        winner = &r;
    const std::string& decided = winner ? winner->decision : s.default_decision;
    // Trusted only when it agrees with what the kernel recorded (a record and its arguments
    // from different moments would not).
    if (recorded.empty() || kind_of(decided) == recorded) {
      std::vector<std::string> at;
      if (winner) {
        // Every matching rule that says exactly this shares the decision.
        for (const bundle::AttrSyscallRule& r : arch->rules)
          if (on_call(r) && r.decision == winner->decision && holds(r.when, *req.args)) append_unique(at, r.at);
      }
      set_rule(event.rule, winner ? at : default_at, winner == nullptr);
      event.decision = decided;
      return;
    }
  }

  // Without them: every rule that can produce the recorded decision, and the default when some
  // call of this syscall reaches it (no rule decides every call).
  std::vector<std::string> at;
  std::vector<std::string> decisions;
  for (const bundle::AttrSyscallRule& r : arch->rules)
    if (on_call(r) && (recorded.empty() || kind_of(r.decision) == recorded)) {
      append_unique(at, r.at);
      append_unique(decisions, {r.decision});
    }
  bool default_can = recorded.empty() || kind_of(s.default_decision) == recorded;
  if (req.nr && std::binary_search(arch->always_decided.begin(), arch->always_decided.end(), *req.nr))
    default_can = false;
  if (!req.nr && !at.empty()) default_can = false;  // no number to check it by: do not guess it too
  if (at.empty()) {
    if (!default_can) return;  // nothing in the bundle decides this
    set_rule(event.rule, default_at, true);
    event.decision = s.default_decision;
    return;
  }
  if (default_can) {
    append_unique(at, default_at.empty() ? std::vector<std::string>{kImplicitDefault} : default_at);
    append_unique(decisions, {s.default_decision});
  }
  set_rule(event.rule, at, false);
  if (decisions.size() == 1) event.decision = decisions.front();
}

void Attributor::landlock(Event& event) const {
  if (!attribution_.landlock) return;
  const bundle::AttrLandlock& l = *attribution_.landlock;
  const Request& req = event.request;
  if (event.decision.empty()) event.decision = "deny";
  if (req.scope) {
    if (std::find(l.scopes.begin(), l.scopes.end(), *req.scope) == l.scopes.end()) {
      // The policy does not restrict this scope: the launcher's own guard did (a signal to the
      // supervisor, or anything outside the sandbox), by no statement of the policy.
      if (*req.scope == "signal") event.layer = Layer::Launcher;
      return;
    }
    if (l.scope_at.empty()) return;
    set_rule(event.rule, l.scope_at, false);
    return;
  }
  std::vector<std::string> missing;
  for (const std::string& r : req.rights) missing.push_back(bare_right(r));
  const bool connect = std::find(missing.begin(), missing.end(), "connect_tcp") != missing.end();
  const bool bind = std::find(missing.begin(), missing.end(), "bind_tcp") != missing.end();
  if (connect || bind || (req.port && !req.path)) {
    // A port the TCP rules do not allow: a port-only deny took it out, or nothing allowed it and
    // the network section's allowlist refused it (no statement of its own).
    std::vector<std::string> at;
    for (const bundle::AttrTcpRule& r : l.tcp_denies) {
      const bool direction = r.direction == "any" || (connect && r.direction == "connect") ||
                             (bind && r.direction == "bind") || (!connect && !bind);
      if (direction && req.port && port_in(r.ports, *req.port)) append_unique(at, r.at);
    }
    set_rule(event.rule, at, at.empty());
    return;
  }
  if (!req.path) return;
  // A deny rule covering the path and naming a missing right decides (the deepest first);
  // otherwise no rule granted the right, which the `landlock abi` statement makes a denial.
  std::vector<const bundle::AttrFsRule*> deciding;
  for (const bundle::AttrFsRule& r : l.denies) {
    if (!beneath(*req.path, r.path)) continue;
    const bool names_missing = missing.empty() || std::any_of(r.rights.begin(), r.rights.end(), [&](const auto& x) {
                                 return std::find(missing.begin(), missing.end(), x) != missing.end();
                               });
    if (names_missing) deciding.push_back(&r);
  }
  std::stable_sort(deciding.begin(), deciding.end(),
                   [](const auto* a, const auto* b) { return a->path.size() > b->path.size(); });
  if (!deciding.empty()) {
    std::vector<std::string> at;
    for (const bundle::AttrFsRule* r : deciding) append_unique(at, r->at);
    set_rule(event.rule, at, false);
    return;
  }
  if (!l.default_at) return;  // no filesystem section: Landlock restricts no file access
  set_rule(event.rule, {*l.default_at}, true);
}

void Attributor::nftables(Event& event, std::string_view prefix) const {
  if (!attribution_.nftables) return;
  const bundle::AttrNftables& n = *attribution_.nftables;
  if (event.decision.empty()) event.decision = "drop";
  // The kernel hands the prefix back as it was set; a reader may have trimmed its final space.
  auto same = [&](const std::string& p) {
    return p == prefix || (!p.empty() && p.back() == ' ' && std::string_view(p).substr(0, p.size() - 1) == prefix);
  };
  if (same(n.default_prefix)) {
    set_rule(event.rule, {}, true);
    return;
  }
  for (const bundle::AttrNftRule& r : n.denies)
    if (same(r.prefix)) {
      set_rule(event.rule, {r.at}, false);
      return;
    }
}

void Attributor::proxy(Event& event) const {
  if (!attribution_.proxy) return;
  const bundle::AttrProxy& p = *attribution_.proxy;
  const Request& req = event.request;
  if (event.decision.empty()) event.decision = "deny";
  const std::string domain = req.domain ? lowercase_name(*req.domain) : "";
  std::vector<std::string> at;
  for (const bundle::AttrProxyRule& r : p.denies)
    if (admits(r, req, domain)) append_unique(at, {r.at});
  if (!at.empty()) {
    set_rule(event.rule, at, false);
    return;
  }
  // Nothing denied it by name. If an allow admits it, only a deny on the address the proxy
  // resolved the name to can have refused it: those are the candidates.
  const bool allowed =
      std::any_of(p.allows.begin(), p.allows.end(), [&](const auto& r) { return admits(r, req, domain); });
  if (allowed && !req.address)
    for (const bundle::AttrProxyRule& r : p.denies)
      if (!r.addresses.empty() && (!req.port || port_in(r.ports, *req.port))) append_unique(at, {r.at});
  set_rule(event.rule, at, at.empty());
}

}  // namespace polc::telemetry
