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
  std::string out = r.proto == ir::Proto::Any ? "every protocol" : std::string(ir::proto_name(r.proto));
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

bool ports_overlap(const std::vector<ir::PortRange>& a, const std::vector<ir::PortRange>& b) {
  if (a.empty() || b.empty()) return true;
  for (const ir::PortRange& x : a)
    for (const ir::PortRange& y : b)
      if (x.low <= y.high && y.low <= x.high) return true;
  return false;
}

// Whether a deny rule without direction or hosts takes something away from a `bind` allow rule.
// Only then does its bind half say more than the allowlist already does, and that half is
// beyond the output chain.
bool narrows_a_bind(const ir::NetRule& deny, const ir::Network& net) {
  if (deny.direction != ir::Direction::Any || !deny.hosts.empty()) return false;
  for (const ir::NetRule& r : net.rules) {
    if (r.deny || r.direction != ir::Direction::Bind) continue;
    if ((deny.proto == ir::Proto::Any || deny.proto == r.proto) && ports_overlap(deny.ports, r.ports)) return true;
  }
  return false;
}

// Which files enforce one rule, and how much of it. A rule naming both addresses and domains has
// two parts: nftables enforces its addresses in full, the proxy its domains in full.
void enforcements_of(Enforcements& out, const ir::NetRule& r, const ir::Network& net) {
  const bool proxy = net.proxy.has_value();
  // nftables filters outgoing packets; binds are Landlock's (TCP) and nobody's here.
  if (r.direction == ir::Direction::Bind) return;
  const bool domains = has_domains(r), addresses = has_addresses(r);
  const bool every_host = r.hosts.empty();
  const bool mixed = domains && addresses;
  const std::string verb = r.deny ? "drops " : "accepts ";
  const std::string l4 = l4_text(r);

  if (every_host || addresses) {
    // A deny rule with neither direction nor hosts also refuses binds that a bind rule allows,
    // which the output chain does not see. (With hosts it cannot: bind rules take no hosts.)
    const bool binds_too = r.deny && narrows_a_bind(r, net);
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
  report(out, r, kSquid, Extent::Full,
         what + names + (r.ports.empty() ? "" : " port " + ports_text(merged_ports(r.ports))), part);
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
  for (const ir::NetRule& r : net.rules) enforcements_of(a.enforced, r, net);
  if (net.proxy) {
    const ir::Proxy& p = *net.proxy;
    const std::string where = ir::host_to_string(p.address) + " port " + std::to_string(p.port);
    a.enforced.emplace_back(p.origin, kNft, Extent::Full, "accepts tcp to the proxy at " + where);
    a.enforced.emplace_back(p.origin, kSquid, Extent::Full, "listens on " + where);
    a.enforced.emplace_back(p.origin, kEgress, Extent::Full, "names the proxy at " + where);
  }
  return a;
}

namespace {

// The claims of the files `out` holds.
void keep_claims_of_files(const Enforcements& all, BackendOutput& out) {
  for (const Enforcement& e : all)
    if (out.files.count(e.artifact) != 0) out.enforced.push_back(e);
}

}  // namespace

std::optional<BackendOutput> run_nftables(const ir::Policy& policy, diag::Engine&, const EmitHooks&) {
  NetworkArtifacts a = emit(policy);
  BackendOutput out;
  out.files[kNft] = bytes_of(a.nftables);
  keep_claims_of_files(a.enforced, out);
  return out;
}

std::optional<BackendOutput> run_proxy(const ir::Policy& policy, diag::Engine&, const EmitHooks&) {
  NetworkArtifacts a = emit(policy);
  BackendOutput out;
  if (!a.squid_conf.empty()) out.files[kSquid] = bytes_of(a.squid_conf);
  if (!a.egress_json.empty()) out.files[kEgress] = bytes_of(a.egress_json);
  keep_claims_of_files(a.enforced, out);
  return out;
}

}  // namespace polc::backends::network
