// Stage: backends/network. Runs the three writers and reports, statement by statement, which file
// enforces what (the driver's coverage map refuses a build where a statement is enforced by none).
#include "backends/network/emit.h"

#include "backends/network/egress.h"
#include "backends/network/host_sets.h"
#include "backends/network/nftables.h"
#include "backends/network/squid.h"

namespace polc::backends::network {

namespace {

constexpr const char* kNft = "nftables.nft";
constexpr const char* kSquid = "squid.conf";
constexpr const char* kEgress = "egress.json";

std::string l4_text(const ir::NetRule& r) {
  std::string out = r.proto == ir::Proto::Any ? "every protocol" : std::string(proto_name(r.proto));
  out += r.ports.empty() ? "" : " port " + ports_text(merged_ports(r.ports));
  return out;
}

std::vector<ir::Host> addresses_of(const std::vector<ir::Host>& hosts) {
  std::vector<ir::Host> out;
  for (const ir::Host& h : hosts)
    if (h.kind == ir::HostKind::V4 || h.kind == ir::HostKind::V6) out.push_back(h);
  return out;
}

void report(Enforcements& out, const ir::NetRule& r, const char* artifact, Extent extent, std::string how,
            const char* part = "") {
  out.emplace_back(r.origin, artifact, extent, std::move(how), part);
}

// Which files enforce one rule, and how much of it. A rule naming both addresses and domains has
// two parts: nftables enforces its addresses in full, the proxy its domains in full.
void enforcements_of(Enforcements& out, const ir::NetRule& r, bool proxy) {
  // nftables filters outgoing packets; binds are Landlock's (TCP) and nobody's here.
  if (r.direction == ir::Direction::Bind) return;
  const bool domains = has_domains(r), addresses = has_addresses(r);
  const bool every_host = r.hosts.empty();
  const bool mixed = domains && addresses;
  const std::string verb = r.deny ? "drops " : "accepts ";
  const std::string l4 = l4_text(r);

  if (every_host || addresses) {
    // A deny rule with neither direction nor hosts also covers binds, which the output chain
    // does not see. (With hosts it cannot: bind rules take no hosts.)
    const bool binds_too = r.deny && r.direction == ir::Direction::Any && every_host;
    const std::string to = every_host ? "any address" : hosts_text(addresses_of(r.hosts));
    report(out, r, kNft, binds_too ? Extent::Partial : Extent::Full, verb + l4 + " to " + to,
           mixed ? kPartAddresses : "");
  } else if (!r.deny && proxy) {
    report(out, r, kNft, Extent::Partial, "lets the sandbox reach these domains only through the egress proxy");
  }
  if (!domains || !proxy) return;
  const std::string names = hosts_text(domains_of(r.hosts));
  const char* part = mixed ? kPartDomains : "";
  const std::string what = r.deny ? "refuses " : "allows ";
  report(out, r, kSquid, Extent::Full, what + names + (r.ports.empty() ? "" : " port " + ports_text(merged_ports(r.ports))),
         part);
  report(out, r, kEgress, Extent::Full, "lists " + names + " for the egress proxy", part);
}

}  // namespace

NetworkArtifacts emit(const ir::Policy& policy) {
  NetworkArtifacts a;
  a.nftables = render_nftables(policy);
  const auto& net = policy.network;
  if (net.proxy) {
    a.squid_conf = render_squid(policy);
    a.egress_json = render_egress(policy);
  }
  for (const ir::NetRule& r : net.rules) enforcements_of(a.enforced, r, net.proxy.has_value());
  if (net.proxy) {
    const ir::Proxy& p = *net.proxy;
    const std::string where = ir::host_to_string(p.address) + " port " + std::to_string(p.port);
    a.enforced.emplace_back(p.origin, kNft, Extent::Full, "accepts tcp to the proxy at " + where);
    a.enforced.emplace_back(p.origin, kSquid, Extent::Full, "listens on " + where);
    a.enforced.emplace_back(p.origin, kEgress, Extent::Full, "names the proxy at " + where);
  }
  return a;
}

}  // namespace polc::backends::network
