// Stage: sema. Network rules lowered to IR endpoint rules, and the implicit cloud-metadata denies.
#include <arpa/inet.h>

#include <algorithm>
#include <set>

#include "compiler/sema/net_values.h"
#include "compiler/sema/size_limits.h"

namespace polc::sema {

using diag::Code;

namespace {

ir::Direction to_ir(ast::Direction d) {
  return d == ast::Direction::Connect ? ir::Direction::Connect
         : d == ast::Direction::Bind  ? ir::Direction::Bind
                                      : ir::Direction::Any;
}
ir::Proto to_ir(ast::Proto p) {
  return p == ast::Proto::Tcp ? ir::Proto::Tcp : p == ast::Proto::Udp ? ir::Proto::Udp : ir::Proto::Any;
}

bool check_shape(Context& ctx, const ast::NetRule& r) {
  if (r.direction == ast::Direction::Bind && r.has_to) {
    ctx.diags.report(Code::BadNetTarget, r.range, "`bind` rules take ports only")
        .with_help("remove the `to ...` part; bind restricts local ports");
    return false;
  }
  if (r.deny) return true;
  std::string missing;
  if (r.direction == ast::Direction::Any) missing = "a direction (`connect` or `bind`)";
  else if (r.proto == ast::Proto::Any) missing = "a protocol (`tcp` or `udp`)";
  else if (r.ports.empty() && !r.any_port) missing = "ports (a list, a range like 8000-8080, or `any`)";
  if (!missing.empty()) {
    ctx.diags.report(Code::IncompleteNetRule, r.range, "this allow rule lacks " + missing)
        .with_help("allow rules say exactly what they allow, like `connect tcp 443 to \"example.org\"`");
    return false;
  }
  return true;
}

// Domains are enforced by the proxy, which only sees outgoing TCP connections.
bool domain_allowed(const ir::NetRule& r) { return r.proto == ir::Proto::Tcp && r.direction != ir::Direction::Bind; }

void report_domain(Context& ctx, ast::SourceRange range) {
  ctx.diags
      .report(Code::BadNetTarget, range, "domains can only be enforced for outgoing tcp connections (by the proxy)")
      .with_help("say `connect tcp` (or `tcp` in a deny rule), or use addresses");
}

}  // namespace

namespace {

// `proxy ADDRESS port N`: one single address, once, in the policy itself (which proxy a sandbox
// trusts with its domain rules is the deployment's decision, not a shared module's).
void lower_proxy(Context& ctx, size_t unit, const ast::ProxyDecl& p) {
  if (ctx.unit(unit).ast.kind != ast::UnitKind::Policy) {
    ctx.diags.report(Code::NotAllowedInModule, p.range, "a module cannot choose the egress proxy")
        .with_help("move `proxy` into the policy");
    return;
  }
  auto& net = ctx.policy.network;
  if (net.proxy) {
    ctx.diags.report(Code::DuplicateStatement, p.range, "the `proxy` is already given")
        .note(net.proxy->origin.range, "first given here");
    return;
  }
  auto host = parse_host(ctx, {ast::HostKind::Address, p.address, p.address_range});
  if (!host) return;
  const uint8_t full = host->kind == ir::HostKind::V4 ? 32 : 128;
  if (host->prefix != full) {
    ctx.diags.report(Code::MalformedAddress, p.address_range, "the proxy is one address, not a block")
        .with_help("name the address the proxy listens on, without a /prefix");
    return;
  }
  auto port = check_port(ctx, {p.port, p.port, false, p.port_range});
  if (!port) return;
  net.proxy = ir::Proxy{*host, port->low, ctx.origin(unit, p.range)};
}

}  // namespace

void check_proxy(Context& ctx) {
  const auto& net = ctx.policy.network;
  if (net.proxy) return;
  for (const ir::NetRule& r : net.rules) {
    if (r.deny) continue;
    auto domain =
        std::find_if(r.hosts.begin(), r.hosts.end(), [](const ir::Host& h) { return h.kind == ir::HostKind::Domain; });
    if (domain == r.hosts.end()) continue;
    ctx.diags
        .report(
            Code::DomainNeedsProxy, r.origin.range,
            "`" + ir::host_to_string(*domain) + "` can only be enforced by an egress proxy, and the policy names none")
        .note("nftables sees addresses, not names: the sandbox reaches domains through the proxy only")
        .with_help("say where the proxy listens, e.g. `proxy 127.0.0.1 port 3128`, in the policy's network section");
    return;  // one report says it; every domain rule has the same fix
  }
}

void lower_net_rules(Context& ctx, size_t unit, const Exclusions& ex) {
  auto& net = ctx.policy.network;
  for (const ast::Item& item : ctx.unit(unit).ast.items) {
    const auto* section = std::get_if<ast::NetworkSection>(&item);
    if (section == nullptr) continue;
    net.present = true;
    for (const ast::NetStmt& st : section->stmts) {
      if (ctx.over_size_limit) return;
      if (const auto* p = std::get_if<ast::ProxyDecl>(&st)) {
        lower_proxy(ctx, unit, *p);
        continue;
      }
      const ast::NetRule& r = std::get<ast::NetRule>(st);
      if (!check_shape(ctx, r)) continue;
      const size_t errors_before = ctx.diags.error_count();
      ir::NetRule out;
      out.deny = r.deny;
      out.direction = to_ir(r.direction);
      out.proto = to_ir(r.proto);
      out.origin = ctx.origin(unit, r.range);
      bool ok = true;
      for (const ast::PortRange& p : r.ports) {
        if (auto pr = check_port(ctx, p)) out.ports.push_back(*pr);
        else ok = false;
      }
      std::set<std::string> seen;
      bool any_host = !r.has_to;
      for (const ast::HostRef& h : r.hosts) {
        if (!seen.insert(h.text).second) {
          ctx.diags.report(Code::DuplicateEntry, h.range, "`" + h.text + "` is listed twice in this rule");
          continue;
        }
        if (h.kind == ast::HostKind::Group) {
          bool reported = false;
          for (ir::Host& host : expand_hosts(ctx, h.text, h.range)) {
            if (host.kind == ir::HostKind::Domain && !domain_allowed(out)) {
              if (!reported) report_domain(ctx, h.range);
              reported = true;
              ok = false;
            }
            if (host.kind == ir::HostKind::Any) any_host = true;
            const std::string text = ir::host_to_string(host);
            if (ex.strings.count(text) == 0) out.hosts.push_back(std::move(host));
          }
          continue;
        }
        if (ex.strings.count(h.text) != 0) continue;
        auto host = parse_host(ctx, h);
        if (!host) {
          ok = false;
          continue;
        }
        if (host->kind == ir::HostKind::Any) any_host = true;
        if (host->kind == ir::HostKind::Domain && !domain_allowed(out)) {
          report_domain(ctx, h.range);
          ok = false;
          continue;
        }
        out.hosts.push_back(std::move(*host));
      }
      if (!ok) continue;
      if (any_host) {
        out.hosts.clear();
      } else if (out.hosts.empty()) {
        // Every host came from empty sets or was removed by `without`: the rule says nothing
        // (unless an error about its hosts already explains why).
        if (ctx.diags.error_count() == errors_before)
          ctx.diags.report(Code::RuleMatchesNothing, r.range, "this rule names no host, so it has no effect")
              .with_help("the host sets it uses are empty, or `without` removed every host");
        continue;
      }
      if (!admit(ctx, SizeKind::NetEntries, std::max<size_t>(1, out.hosts.size() + out.ports.size()), r.range)) return;
      std::sort(out.ports.begin(), out.ports.end());
      net.rules.push_back(std::move(out));
    }
  }
}

namespace {

// The ports of 1..65535 that `allowed` does not cover, as sorted ranges.
std::vector<ir::PortRange> complement(std::vector<ir::PortRange> allowed) {
  std::sort(allowed.begin(), allowed.end());
  std::vector<ir::PortRange> out;
  uint32_t next = 1;
  for (const ir::PortRange& p : allowed) {
    if (p.low > next) out.push_back({static_cast<uint16_t>(next), static_cast<uint16_t>(p.low - 1)});
    next = std::max<uint32_t>(next, uint32_t{p.high} + 1);
  }
  if (next <= 65535) out.push_back({static_cast<uint16_t>(next), 65535});
  return out;
}

}  // namespace

void add_implicit_network_denies(Context& ctx) {
  // The instance-metadata endpoints of AWS, GCP/Azure/Alibaba and their IPv4-mapped IPv6 forms:
  // the classic way out of a sandbox into cloud credentials.
  static const char* const kMetadata[] = {"169.254.169.254",     "fd00:ec2::254",          "100.100.100.200",
                                          "168.63.129.16",       "::ffff:169.254.169.254", "::ffff:100.100.100.200",
                                          "::ffff:168.63.129.16"};
  ir::NetRule blanket;
  blanket.deny = true;
  blanket.implicit = true;
  blanket.origin.where = "implicit: cloud metadata endpoints";
  std::vector<ir::NetRule> narrowed;
  for (const char* text : kMetadata) {
    ir::Host h;
    if (inet_pton(AF_INET, text, h.addr.data()) == 1) {
      h.kind = ir::HostKind::V4;
      h.prefix = 32;
    } else {
      inet_pton(AF_INET6, text, h.addr.data());
      h.kind = ir::HostKind::V6;
      h.prefix = 128;
    }
    // Only the policy itself can open a metadata endpoint, only by naming the exact address, and
    // only for the protocol and ports that rule names: the implicit deny keeps everything else.
    std::vector<ir::PortRange> tcp, udp;
    bool lifted = false;
    for (const ir::NetRule& r : ctx.policy.network.rules) {
      if (r.deny || r.implicit || !r.origin.module.empty() || r.direction != ir::Direction::Connect) continue;
      if (std::find(r.hosts.begin(), r.hosts.end(), h) == r.hosts.end()) continue;
      lifted = true;
      auto& ports = r.proto == ir::Proto::Udp ? udp : tcp;
      if (r.ports.empty()) ports.push_back({1, 65535});
      ports.insert(ports.end(), r.ports.begin(), r.ports.end());
      ctx.diags
          .report(diag::Code::MetadataAllowed, r.origin.range,
                  "this rule lets the sandbox reach the cloud metadata endpoint " + std::string(text))
          .note("instance metadata usually hands out the host's cloud credentials")
          .with_help("allow it only if the payload must talk to the metadata service");
    }
    if (!lifted) {
      blanket.hosts.push_back(h);
      continue;
    }
    for (auto [proto, allowed] : {std::pair{ir::Proto::Tcp, tcp}, std::pair{ir::Proto::Udp, udp}}) {
      auto rest = complement(allowed);
      if (rest.empty()) continue;
      ir::NetRule deny = blanket;
      deny.proto = proto;
      deny.ports = std::move(rest);
      deny.hosts = {h};
      narrowed.push_back(std::move(deny));
    }
  }
  if (!blanket.hosts.empty()) ctx.policy.network.rules.push_back(std::move(blanket));
  for (auto& d : narrowed) ctx.policy.network.rules.push_back(std::move(d));
}

}  // namespace polc::sema
