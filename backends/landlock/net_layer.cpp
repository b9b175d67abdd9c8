// Stage: backends/landlock. TCP port rules from the policy's network rules.
#include "backends/landlock/net_layer.h"

#include <bitset>
#include <memory>
#include <string>

namespace polc::backends::landlock {

namespace {

using Ports = std::bitset<65536>;  // bit p: port p is allowed (bit 0 unused: ports are 1..65535)

void add(Ports& set, const std::vector<ir::PortRange>& ranges, bool value) {
  if (ranges.empty()) {
    for (uint32_t p = 1; p <= 65535; ++p) set[p] = value;
    return;
  }
  for (const ir::PortRange& r : ranges)
    for (uint32_t p = r.low; p <= r.high; ++p) set[p] = value;
}

std::vector<ir::PortRange> ranges_of(const Ports& set) {
  std::vector<ir::PortRange> out;
  for (uint32_t p = 1; p <= 65535; ++p) {
    if (!set[p]) continue;
    uint32_t q = p;
    while (q < 65535 && set[q + 1]) ++q;
    out.push_back({static_cast<uint16_t>(p), static_cast<uint16_t>(q)});
    p = q;
  }
  return out;
}

std::string ports_text(const std::vector<ir::PortRange>& ranges) {
  if (ranges.empty()) return "every port";
  std::string out;
  for (const ir::PortRange& r : ranges)
    out += (out.empty() ? "" : ",") + std::to_string(r.low) + (r.high != r.low ? "-" + std::to_string(r.high) : "");
  return "port " + out;
}

bool tcp(ir::Proto p) { return p == ir::Proto::Tcp || p == ir::Proto::Any; }
bool covers(ir::Direction rule, ir::Direction d) { return rule == ir::Direction::Any || rule == d; }

bool has_domain(const ir::NetRule& r) {
  for (const ir::Host& h : r.hosts)
    if (h.kind == ir::HostKind::Domain) return true;
  return false;
}
bool has_address(const ir::NetRule& r) {
  for (const ir::Host& h : r.hosts)
    if (h.kind != ir::HostKind::Domain) return true;
  return false;
}

const char* kArtifact = "landlock.json";

}  // namespace

std::optional<NetLayer> net_layer(const ir::Policy& policy, Enforcements& enforced) {
  const auto& fs = policy.filesystem;
  if (!policy.network.present) return std::nullopt;
  const bool required = fs.min_abi >= ir::kNetworkAbi;
  if (!required && (fs.best_effort & ir::layer::kNetwork) == 0) return std::nullopt;

  auto connect = std::make_unique<Ports>();
  auto bind = std::make_unique<Ports>();
  // Allows first, then port-only denies taken out: deny rules always win.
  for (const ir::NetRule& r : policy.network.rules) {
    if (r.deny || r.proto != ir::Proto::Tcp) continue;
    const std::string what = ports_text(r.ports);
    if (r.direction == ir::Direction::Bind) {
      add(*bind, r.ports, true);
      enforced.push_back({r.origin, kArtifact, Extent::Full, "allows binding tcp " + what});
      enforced.back().tcp_sockets_only = true;
      continue;
    }
    // Domain rules are reached through the proxy, so they open the proxy's port, not their own.
    if (r.hosts.empty() || has_address(r)) {
      add(*connect, r.ports, true);
      // Partial even without hosts: Landlock checks connect(2), not a TCP Fast Open sendto(2),
      // which opens a connection too; nftables sees both.
      enforced.push_back(
          {r.origin, kArtifact, Extent::Partial,
           "allows connecting to tcp " + what + (r.hosts.empty() ? "" : " on any address") + " (connect(2) only)"});
    }
    if (has_domain(r) && policy.network.proxy)
      enforced.push_back({r.origin, kArtifact, Extent::Partial, "allows connecting only to the proxy's port"});
  }
  if (const auto& proxy = policy.network.proxy) {
    add(*connect, {{proxy->port, proxy->port}}, true);
    enforced.push_back({proxy->origin, kArtifact, Extent::Partial,
                        "allows connecting to tcp port " + std::to_string(proxy->port) + " on any address"});
  }
  for (const ir::NetRule& r : policy.network.rules) {
    if (!r.deny || !r.hosts.empty() || !tcp(r.proto)) continue;
    if (covers(r.direction, ir::Direction::Connect)) add(*connect, r.ports, false);
    if (covers(r.direction, ir::Direction::Bind)) add(*bind, r.ports, false);
    // Exact for bind(2); a connect can still go out through a TCP Fast Open sendto(2).
    const bool exact = r.proto == ir::Proto::Tcp && r.direction == ir::Direction::Bind;
    enforced.push_back(
        {r.origin, kArtifact, exact ? Extent::Full : Extent::Partial, "refuses tcp " + ports_text(r.ports)});
    enforced.back().tcp_sockets_only = true;
  }

  NetLayer out;
  out.best_effort = !required;
  // A network section is an allowlist: an access nothing allows is handled with no rules. Every
  // port allowed is the same as not handling the access, which saves 65,535 rules.
  auto restricted = [](const Ports& set) {
    Ports all;
    add(all, {}, true);
    return set != all ? std::optional(ranges_of(set)) : std::nullopt;
  };
  out.connect_tcp = restricted(*connect);
  out.bind_tcp = restricted(*bind);
  return out;
}

}  // namespace polc::backends::landlock
