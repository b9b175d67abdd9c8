// Stage: backends/network. Writes squid.conf: a forward proxy that listens where the policy's
// `proxy` says, refuses IP literals, applies the deny rules, allows exactly the domain rules (each
// with its own ports), and refuses everything else. No cache, nothing about the client forwarded.
#include "backends/network/squid.h"

#include "backends/network/host_sets.h"

namespace polc::backends::network {

namespace {

// Host strings a client could use instead of a name: dotted and numeric IPv4 in every form
// inet_aton accepts (2130706433, 0x7f.1, 0177.0.0.1) and IPv6 literals, bracketed or not.
// Domain rules never match these, but a rule for every host would, and the policy's address
// rules are enforced by nftables, not by the proxy.
constexpr const char* kIpv4Literal = R"(^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$)";
// Brackets are matched with bracket expressions: "\[" is not portable POSIX.
constexpr const char* kIpv6Literal = R"(^[[]?[0-9a-f.]*:[0-9a-f:.]*(%[^]]*)?[]]?$)";

// The access log's format: a tag naming it, then fields that squid writes itself (time, the
// client's address and port, squid's and HTTP's status), the destination as the client asked for
// it, and last the method and URL. The values the client chooses are %-encoded with squid's `#`
// modifier (every byte outside printable ASCII, and space, quote, backslash, percent ...), so
// every field is one space-free token and a line is always one line. The URL is last because
// squid cuts a record at 8 KiB: a request with a huge URL still logs its host and port whole.
// launcher/telemetry/proxy_log.h parses this; change both together (and the tag's version).
constexpr const char* kLogFormat = "polc.access/1 %ts.%03tu %>a %>p %Ss %>Hs %#>rd %>rP %#rm %#ru";

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += " " + s;
  return out;
}

// A rule reaches the proxy only when it can be an outgoing tcp connection.
bool seen_by_proxy(const ir::NetRule& r) { return r.direction != ir::Direction::Bind && r.proto != ir::Proto::Udp; }

struct Acls {
  std::string defs;    // acl lines
  std::string access;  // http_access lines
};

// One rule's ACLs and http_access lines. A line is a conjunction of ACLs, and the values inside
// one ACL are alternatives, so each kind of host (exact names, wildcards, addresses) gets its own
// line, each also requiring the rule's ports.
void add_rule(Acls& out, const ir::NetRule& r, const std::string& name, bool allow) {
  std::string ports;
  const auto merged = merged_ports(r.ports);
  if (!merged.empty()) {
    ports = name + "_ports";
    out.defs += "acl " + ports + " port " + ports_text(merged, " ") + "\n";
  }
  const std::string verb = allow ? "http_access allow " : "http_access deny ";
  const std::string port_suffix = ports.empty() ? "" : " " + ports;
  out.access += "# " + origin_label(r.origin) + ": " + rule_text(r) + "\n";
  if (r.hosts.empty()) {
    out.access += verb + (ports.empty() ? "all" : ports) + "\n";
    return;
  }
  std::vector<std::string> exact, wild;
  for (const ir::Host& h : domains_of(r.hosts)) (h.wildcard ? wild : exact).push_back(h.domain);
  if (!exact.empty()) {
    // dstdomain without a leading dot is an exact name; -n: never match an IP by reverse lookup.
    out.defs += "acl " + name + "_names dstdomain -n" + join(exact) + "\n";
    out.access += verb + name + "_names" + port_suffix + "\n";
  }
  if (!wild.empty()) {
    // Not dstdomain ".example.org": that also matches example.org itself; the policy's
    // "*.example.org" is every strict subdomain only.
    std::vector<std::string> regexes;
    for (const auto& d : wild) regexes.push_back(wildcard_regex(d));
    out.defs += "acl " + name + "_subdomains dstdom_regex -n -i" + join(regexes) + "\n";
    out.access += verb + name + "_subdomains" + port_suffix + "\n";
  }
  // Deny rules on addresses also bind the proxy: it resolves names itself, outside the sandbox's
  // nftables, so a permitted name that resolves to a denied address (the metadata endpoint, say)
  // must still be refused. `dst` matches every address the name resolves to.
  // As in nftables.nft: a mapped block is also its IPv4 block, except in the implicit rules.
  const AddressSets sets = address_sets(r.hosts, !r.implicit);
  if (!allow && !sets.empty()) {
    // squid stores IPv4 addresses as IPv4-mapped IPv6 ones, so a mapped block is its IPv4 block
    // and is not listed again (squid warns about duplicates).
    std::vector<std::string> addrs = sets.v4;
    for (const std::string& a : sets.v6)
      if (a.rfind("::ffff:", 0) != 0 || a.find('.') == std::string::npos) addrs.push_back(a);
    out.defs += "acl " + name + "_addresses dst" + join(addrs) + "\n";
    out.access += verb + name + "_addresses" + port_suffix + "\n";
  }
}

}  // namespace

std::string wildcard_regex(const std::string& domain) {
  std::string escaped;
  for (char c : domain) {
    if (c == '.') escaped += "\\";
    escaped += c;
  }
  return "^([^.]+\\.)+" + escaped + "$";
}

std::string render_squid(const ir::Policy& policy) {
  const ir::Network& net = policy.network;
  const ir::Proxy& proxy = *net.proxy;
  const std::string address = proxy.address.kind == ir::HostKind::V6 ? "[" + ir::host_to_string(proxy.address) + "]"
                                                                     : ir::host_to_string(proxy.address);
  std::string out;
  out +=
      "# squid.conf of policy " + policy.name + " version " + std::to_string(policy.version) +
      ", generated by polc. Do not edit: change the policy and rebuild.\n"
      "#\n"
      "# The egress proxy that enforces the policy's domain rules. Run it in the foreground under a\n"
      "# supervisor: `squid -N -f squid.conf`. Deployment settings (hosts_file, cache_effective_user,\n"
      "# cache_log, dns_nameservers) can be set by a file that `include`s this one and sets them\n"
      "# after it; the access rules below are complete and need nothing added. Only the sandbox should reach the listening\n"
      "# address. The proxy resolves names itself: the sandbox needs no DNS for domain rules.\n\n";

  out += "# Where the sandbox's HTTP_PROXY and HTTPS_PROXY point (the policy's `proxy` statement).\n";
  out += "http_port " + address + ":" + std::to_string(proxy.port) + "\n\n";

  out +=
      "# A pure gate: nothing is cached, nothing about the client or the proxy is disclosed.\n"
      "cache deny all\n"
      "cache_mem 0 MB\n"
      "via off\n"
      "forwarded_for delete\n"
      "httpd_suppress_version_string on\n"
      "visible_hostname polc-egress-proxy\n\n";

  // Files, not the supervisor's stdout: squid started as root switches to its cache_effective_user,
  // which cannot open root's stdout. One pair of files per policy, so proxies can run side by side.
  const std::string log = "/var/log/squid/polc_" + policy.name;
  out +=
      "# Logs, one pair per policy (a wrapper that includes this file can move cache_log). No pid\n"
      "# file: run it in the foreground and stop it through its supervisor.\n"
      "# The access log is in polc's format, which `sbx-exec --proxy-log` reads to report the\n"
      "# requests this proxy refused. Fields: the tag polc.access/1, time, client address and port,\n"
      "# squid status, HTTP status, then as the client asked: host, port, method, URL. What the\n"
      "# client chooses is %-encoded (%#), so a field never holds a space or a line break.\n"
      "logformat polc " +
      std::string(kLogFormat) +
      "\n"
      "access_log stdio:" +
      log +
      ".access.log polc\n"
      "cache_log " +
      log +
      ".cache.log\n"
      "logfile_rotate 0\n"
      "pid_filename none\n\n";

  Acls acls;
  acls.defs += "acl polc_connect method CONNECT\n";
  acls.defs += std::string("acl polc_ip_literal dstdom_regex -n -i ") + kIpv4Literal + " " + kIpv6Literal + "\n";

  // The ports any allow rule opens through the proxy: CONNECT (tunnels) to anything else is
  // refused before any rule is consulted.
  std::vector<ir::PortRange> allowed_ports;
  bool any_allow = false;
  for (const ir::NetRule& r : net.rules) {
    if (r.deny || !seen_by_proxy(r)) continue;
    if (!r.hosts.empty() && !has_domains(r)) continue;
    any_allow = true;
    if (r.ports.empty()) allowed_ports.push_back({1, 65535});
    allowed_ports.insert(allowed_ports.end(), r.ports.begin(), r.ports.end());
  }
  if (any_allow) acls.defs += "acl polc_allowed_ports port " + ports_text(merged_ports(allowed_ports), " ") + "\n";

  acls.access += "# The cache manager, IP literals, and tunnels to ports no rule allows.\n";
  acls.access += "http_access deny manager\n";
  acls.access += "http_access deny polc_ip_literal\n";
  acls.access += any_allow ? "http_access deny polc_connect !polc_allowed_ports\n" : "http_access deny polc_connect\n";

  acls.access += "\n# Deny rules: they beat every allow rule.\n";
  unsigned n = 0;
  for (const ir::NetRule& r : net.rules) {
    if (!r.deny) continue;
    ++n;
    if (!seen_by_proxy(r)) continue;  // udp and bind rules never reach a tcp proxy
    add_rule(acls, r, "polc_deny_" + std::to_string(n), false);
  }

  acls.access += "\n# Allow rules naming domains (or every host), each with its own ports.\n";
  n = 0;
  for (const ir::NetRule& r : net.rules) {
    if (r.deny) continue;
    ++n;
    if (!seen_by_proxy(r)) continue;
    // Addresses are reached directly (nftables), never through the proxy.
    if (!r.hosts.empty() && !has_domains(r)) continue;
    add_rule(acls, r, "polc_allow_" + std::to_string(n), true);
  }

  acls.access += "\n# Everything else.\nhttp_access deny all\n";
  out += "# Access control. Rules are read top to bottom; the first http_access line that matches decides.\n";
  out += acls.defs + "\n" + acls.access;
  return out;
}

}  // namespace polc::backends::network
