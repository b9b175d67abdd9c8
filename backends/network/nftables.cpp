// Stage: backends/network. Writes nftables.nft: one inet table whose output chain applies the
// policy's deny rules, then lets replies through, then accepts what the allow rules (and the
// egress proxy) permit, and drops the rest. Every drop logs the packet to nfnetlink_log first,
// with a prefix naming the rule (nflog_group.h), for sbx-exec's telemetry.
#include "backends/network/nftables.h"

#include "backends/network/host_sets.h"
#include "backends/network/nflog_group.h"

namespace polc::backends::network {

namespace {

// The transport protocols that carry ports: what a deny rule with ports and no protocol covers.
constexpr const char* kPortProtocols = "{ tcp, udp, udplite, sctp, dccp }";

std::string braced(const std::vector<std::string>& items) {
  if (items.size() == 1) return items[0];
  std::string out = "{ ";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + " }";
}

// The layer-4 part of a rule: "tcp dport { 25, 465 }", "meta l4proto udp", or "" for any packet.
std::string l4_match(ir::Proto proto, const std::vector<ir::PortRange>& ports) {
  const auto merged = merged_ports(ports);
  std::vector<std::string> items;
  for (const ir::PortRange& p : merged) items.push_back(ports_text({p}));
  const std::string dports = items.empty() ? "" : braced(items);
  switch (proto) {
    case ir::Proto::Tcp: return dports.empty() ? "meta l4proto tcp" : "tcp dport " + dports;
    case ir::Proto::Udp: return dports.empty() ? "meta l4proto udp" : "udp dport " + dports;
    case ir::Proto::Any:
      return dports.empty() ? "" : std::string("meta l4proto ") + kPortProtocols + " th dport " + dports;
  }
  return "";
}

// The verdict of a refusing line: log the packet's headers to nfnetlink_log under `prefix`, then
// drop it. Without a listener on the group the log statement costs nothing and the packet is
// simply dropped.
std::string logged_drop(const std::string& prefix) {
  return "log prefix \"" + prefix + "\" group " + std::to_string(kNflogGroup) + " snaplen " +
         std::to_string(kNflogSnaplen) + " drop";
}

std::string join_words(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + " " + b;
}

// Collects named sets (declared at the top of the table) and the chain's lines.
class Writer {
 public:
  explicit Writer(std::string table) : table_(std::move(table)) {}

  void comment(const std::string& text) { chain_ += "\t\t# " + text + "\n"; }
  void line(const std::string& text) { chain_ += "\t\t" + text + "\n"; }
  void blank() { chain_ += "\n"; }

  // The address match for one family: one address inline, several through a named set.
  std::string daddr(const char* family, const std::vector<std::string>& addrs, const std::string& set_name) {
    const std::string field = std::string(family) + " daddr ";
    if (addrs.size() == 1) return field + addrs[0];
    sets_ += "\tset " + set_name + " {\n\t\ttype " + (std::string(family) == "ip" ? "ipv4_addr" : "ipv6_addr") +
             "\n\t\tflags interval\n\t\telements = { ";
    for (size_t i = 0; i < addrs.size(); ++i) sets_ += (i ? ", " : "") + addrs[i];
    sets_ += " }\n\t}\n\n";
    return field + "@" + set_name;
  }

  // One rule's lines: a line per address family it names, or one line for every address.
  void rule(const ir::NetRule& r, const std::string& set_prefix, const std::string& verdict) {
    const std::string l4 = l4_match(r.proto, r.ports);
    if (r.hosts.empty()) {
      line(join_words(l4, verdict));
      return;
    }
    // A connect to an IPv4-mapped address leaves as IPv4, so a rule naming a mapped block also
    // matches its IPv4 form: the wire cannot tell the two apart. Not for the implicit metadata
    // rules: sema lists both forms there, and when the policy opens an IPv4 endpoint exactly, the
    // mapped form reaches nothing more than what it opened.
    const AddressSets sets = address_sets(r.hosts, !r.implicit);
    if (!sets.v4.empty()) line(join_words(daddr("ip", sets.v4, set_prefix + "_v4"), join_words(l4, verdict)));
    if (!sets.v6.empty()) line(join_words(daddr("ip6", sets.v6, set_prefix + "_v6"), join_words(l4, verdict)));
  }

  std::string finish(const std::string& header, const std::string& chain_head) const {
    std::string out = header;
    out += "table inet " + table_ + " {}\ndelete table inet " + table_ + "\n\n";
    out += "table inet " + table_ + " {\n" + sets_;
    out += "\tchain output {\n" + chain_head + chain_ + "\t}\n}\n";
    return out;
  }

 private:
  std::string table_;
  std::string sets_;
  std::string chain_;
};

bool allows_ipv6_beyond_loopback(const ir::Network& net) {
  if (net.proxy && net.proxy->address.kind == ir::HostKind::V6) return true;
  for (const ir::NetRule& r : net.rules) {
    if (r.deny || r.direction == ir::Direction::Bind) continue;
    if (r.hosts.empty()) return true;
    for (const std::string& a : address_sets(r.hosts, false).v6)
      if (a != "::1") return true;
  }
  return false;
}

}  // namespace

std::string nft_table_name(const std::string& policy_name) {
  std::string out = "polc_";
  for (char c : policy_name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  return out;
}

std::string render_nftables(const ir::Policy& policy) {
  const ir::Network& net = policy.network;
  const std::string table = nft_table_name(policy.name);
  Writer w(table);

  std::string header = "# nftables.nft of policy " + policy.name + " version " + std::to_string(policy.version) +
                       ", generated by polc. Do not edit: change the policy and rebuild.\n"
                       "#\n"
                       "# Load it inside the sandbox's network namespace with `nft -f nftables.nft`. The empty\n"
                       "# declaration and the delete replace any earlier table " +
                       table +
                       " whether or not it\n"
                       "# exists; nft applies the whole file as one transaction.\n"
                       "#\n"
                       "# The chain filters what the sandbox sends (hook output). It does not filter inbound\n"
                       "# packets and does not restrict which ports the sandbox binds (Landlock does that for TCP);\n"
                       "# replies to inbound connections leave as established traffic. Domain rules are enforced\n"
                       "# by the egress proxy: here only the proxy itself is reachable for them.\n"
                       "#\n"
                       "# Refused packets are logged to nfnetlink_log group " +
                       std::to_string(kNflogGroup) +
                       " for sbx-exec's telemetry, each with a prefix\n"
                       "# naming its rule; without a listener they are simply dropped.\n\n";

  // Deny rules beat every allow rule, so they come first, before even established traffic.
  w.comment("Deny rules: they beat every allow rule.");
  unsigned denies = 0, metadata = 0, allows = 0;
  for (size_t index = 0; index < net.rules.size(); ++index) {
    const ir::NetRule& r = net.rules[index];
    if (!r.deny) continue;
    w.comment(origin_label(r.origin) + ": " + rule_text(r));
    if (r.direction == ir::Direction::Bind) {
      w.comment("  (binds are not filtered here)");
      continue;
    }
    if (!r.hosts.empty() && !has_addresses(r)) {
      w.comment("  (domains only: enforced by the egress proxy)");
      continue;
    }
    const std::string prefix =
        r.implicit ? "metadata_" + std::to_string(++metadata) : "deny_" + std::to_string(++denies);
    w.rule(r, prefix, logged_drop(nflog_rule_prefix(index)));
  }
  w.blank();

  std::string chain_head;
  if (!net.present) {
    chain_head = "\t\ttype filter hook output priority filter; policy accept;\n\n";
    w.comment("The policy has no network section: everything the deny rules leave is accepted.");
    w.line("accept");
    return w.finish(header, chain_head);
  }
  chain_head = "\t\ttype filter hook output priority filter; policy drop;\n\n";

  // Replies of accepted connections (including replies of the sandbox's own servers on loopback)
  // and the ICMP errors that belong to them (related); a denied flow never gets this far.
  w.comment("Replies to accepted connections, and ICMP errors about them.");
  w.line("ct state established,related accept");
  if (allows_ipv6_beyond_loopback(net)) {
    // Without neighbour discovery no IPv6 next hop resolves; hop limit 255 keeps it on-link.
    w.comment("IPv6 neighbour discovery, without which no allowed IPv6 destination is reachable.");
    w.line("icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept");
  }
  w.blank();

  // Loopback gets no blanket accept: a connect to 127.0.0.1 is accepted only where a rule names it.
  w.comment("Allow rules (outgoing connections; loopback only where a rule names it).");
  for (const ir::NetRule& r : net.rules) {
    if (r.deny) continue;
    w.comment(origin_label(r.origin) + ": " + rule_text(r));
    if (r.direction == ir::Direction::Bind) {
      w.comment("  (binds are not filtered here)");
      continue;
    }
    if (!r.hosts.empty() && !has_addresses(r)) {
      w.comment("  (domains only: reached through the egress proxy)");
      continue;
    }
    if (has_domains(r)) w.comment("  (its domains are reached through the egress proxy)");
    w.rule(r, "allow_" + std::to_string(++allows), "accept");
  }
  if (net.proxy) {
    const ir::Proxy& p = *net.proxy;
    w.comment(origin_label(p.origin) + ": the egress proxy, for the domain rules");
    const char* family = p.address.kind == ir::HostKind::V4 ? "ip" : "ip6";
    w.line(std::string(family) + " daddr " + ir::host_to_string(p.address) + " tcp dport " + std::to_string(p.port) +
           " accept");
  }
  w.blank();
  w.comment("Everything else.");
  w.line(logged_drop(nflog_default_prefix()));
  return w.finish(header, chain_head);
}

}  // namespace polc::backends::network
