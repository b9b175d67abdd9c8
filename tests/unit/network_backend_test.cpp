// Unit tests of the network backend (backends/network): what nftables.nft, squid.conf and
// egress.json say for a policy, compiled from source or built as IR, and the coverage entries.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "backends/network/emit.h"
#include "backends/network/host_sets.h"
#include "backends/network/nflog_group.h"
#include "backends/network/squid.h"
#include "tests/unit/test_support.h"

using namespace polc;
using backends::Extent;
namespace net = polc::backends::network;

namespace {

ir::Policy compiled(const std::string& network_section) {
  auto c = test::compile(test::policy_with(network_section));
  if (!c->policy) FAIL("the policy did not compile: " << network_section);
  return *c->policy;
}

net::NetworkArtifacts emitted(const std::string& network_section) { return net::emit(compiled(network_section)); }

// The position of `needle` in `text`; fails the test when it is missing.
size_t pos(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  INFO("looking for: " << needle << "\nin:\n" << text);
  REQUIRE(at != std::string::npos);
  return at;
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// The verdict of a refusing line: logged to nfnetlink_log as deny rule `index` of the IR, dropped.
std::string drop(size_t index) {
  return "log prefix \"polc " + std::to_string(index) + " \" group 27 snaplen 128 drop";
}
const std::string kDefaultDrop = "log prefix \"polc default \" group 27 snaplen 128 drop";

// Whether `match` is followed by a logged drop of some deny rule.
bool has_drop(const std::string& text, const std::string& match) {
  return has(text, match + " log prefix \"polc ") && has(text.substr(text.find(match)), "\" group 27 snaplen 128 drop");
}

// The chain's rule lines (not comments, not declarations), in order.
std::vector<std::string> chain_lines(const std::string& nft) {
  std::vector<std::string> out;
  const size_t start = nft.find("chain output {");
  size_t at = nft.find('\n', start) + 1;
  while (at < nft.size()) {
    const size_t end = nft.find('\n', at);
    std::string line = nft.substr(at, end - at);
    at = end + 1;
    const size_t first = line.find_first_not_of('\t');
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first);
    if (line == "}") break;
    out.push_back(line);
  }
  return out;
}

const backends::Enforcement* find_entry(const backends::Enforcements& es, const std::string& artifact, unsigned line) {
  for (const auto& e : es)
    if (e.artifact == artifact && e.origin.where.ends_with(":" + std::to_string(line))) return &e;
  return nullptr;
}

ir::Host v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t prefix = 32) {
  ir::Host h;
  h.kind = ir::HostKind::V4;
  h.addr = {a, b, c, d};
  h.prefix = prefix;
  return h;
}

ir::Host domain(const std::string& name, bool wildcard = false) {
  ir::Host h;
  h.kind = ir::HostKind::Domain;
  h.domain = name;
  h.wildcard = wildcard;
  return h;
}

}  // namespace

TEST_CASE("network: deny rules come before established traffic and every allow rule") {
  // Written allow first; the chain must still put the deny first.
  const auto a = emitted(R"(  network {
    connect tcp 8000-8100 to 10.0.0.0/8
    deny connect tcp 8080
  })");
  const auto lines = chain_lines(a.nftables);
  REQUIRE(lines.size() >= 5);
  CHECK(lines[0] == "type filter hook output priority filter; policy drop;");
  CHECK(lines[1] == "tcp dport 8080 " + drop(0));
  const auto at = [&](const std::string& l) { return std::find(lines.begin(), lines.end(), l) - lines.begin(); };
  CHECK(at("ct state established,related accept") > at("tcp dport 8080 " + drop(0)));
  CHECK(at("ip daddr 10.0.0.0/8 tcp dport 8000-8100 accept") > at("ct state established,related accept"));
  CHECK(lines.back() == kDefaultDrop);
  // The metadata denies are denies too: before established traffic.
  CHECK(pos(a.nftables, "ip daddr @metadata_1_v4 " + drop(1)) < pos(a.nftables, "ct state established,related accept"));
}

TEST_CASE("network: the implicit metadata deny names every IPv4, IPv6 and IPv4-mapped endpoint") {
  const auto a = emitted("  network {\n    connect tcp 443 to 10.0.0.0/8\n  }");
  for (const char* addr : {"169.254.169.254", "100.100.100.200", "168.63.129.16"}) {
    const size_t set_v4 = pos(a.nftables, "set metadata_1_v4 {");
    CHECK(pos(a.nftables.substr(set_v4), addr) < pos(a.nftables.substr(set_v4), "set metadata_1_v6"));
  }
  const std::string v6 = a.nftables.substr(pos(a.nftables, "set metadata_1_v6 {"));
  for (const char* addr : {"fd00:ec2::254", "::ffff:169.254.169.254", "::ffff:100.100.100.200", "::ffff:168.63.129.16"})
    CHECK(pos(v6, addr) < pos(v6, "chain output"));
  CHECK(has(a.nftables, "ip6 daddr @metadata_1_v6 " + drop(0)));
  // Implicit rules have no line: they are found by sema's origin text.
  bool implicit_reported = false;
  for (const auto& en : a.enforced)
    if (en.artifact == "nftables.nft" && en.origin.where.starts_with("implicit"))
      implicit_reported = en.extent == Extent::Full;
  CHECK(implicit_reported);
}

TEST_CASE("network: a metadata endpoint opened exactly is opened only for that protocol and port") {
  const auto a = emitted("  network {\n    connect tcp 80 to 169.254.169.254\n  }");
  CHECK(has_drop(a.nftables, "ip daddr 169.254.169.254 tcp dport { 1-79, 81-65535 }"));
  CHECK(has_drop(a.nftables, "ip daddr 169.254.169.254 udp dport 1-65535"));
  CHECK(has(a.nftables, "ip daddr 169.254.169.254 tcp dport 80 accept"));
  // The mapped form stays denied in the IPv6 set, but its IPv4 form is not added back to the
  // IPv4 set (that would close what the policy opened).
  const std::string v4_set = a.nftables.substr(pos(a.nftables, "set metadata_3_v4 {"));
  CHECK(v4_set.substr(0, v4_set.find('}')).find("169.254.169.254") == std::string::npos);
  CHECK(has(a.nftables.substr(pos(a.nftables, "set metadata_3_v6 {")), "::ffff:169.254.169.254"));
}

TEST_CASE("network: IPv4-mapped blocks in written rules also match their IPv4 wire form") {
  const auto a = emitted("  network {\n    deny to ::ffff:10.9.0.0/112\n    connect tcp 443 to 10.0.0.0/8\n  }");
  CHECK(pos(a.nftables, "ip daddr 10.9.0.0/16 " + drop(0)) < pos(a.nftables, "ct state"));
  CHECK(has(a.nftables, "ip6 daddr ::ffff:10.9.0.0/112 " + drop(0)));
  // A block wider than the mapped range contains all of it, so all of IPv4 goes too (as squid's
  // `dst ::/0` does); one narrower than it, and not mapped, adds no IPv4 form.
  const auto wide = emitted("  network {\n    deny to ::/0\n    connect tcp 443 to 10.0.0.0/8\n  }");
  CHECK(pos(wide.nftables, "ip daddr 0.0.0.0/0 " + drop(0)) < pos(wide.nftables, "ct state"));
  const auto other = emitted("  network {\n    deny to fd00::/8\n    connect tcp 443 to 10.0.0.0/8\n  }");
  CHECK_FALSE(has(other.nftables, "ip daddr 0.0.0.0/0"));
}

TEST_CASE("network: exact and wildcard domains") {
  const auto a = emitted(R"(  network {
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "pypi.org", "*.pythonhosted.org"
  })");
  CHECK(has(a.squid_conf, "dstdomain -n pypi.org\n"));
  CHECK(has(a.squid_conf, R"(dstdom_regex -n -i ^([^.]+\.)+pythonhosted\.org$)"));
  // Never squid's ".pythonhosted.org", which would also match the bare domain.
  CHECK(!has(a.squid_conf, " .pythonhosted.org"));
  // Domains produce no address rule: only the proxy is reachable for them.
  for (const auto& l : chain_lines(a.nftables)) CHECK_MESSAGE(l.find("pypi") == std::string::npos, l);
  CHECK(has(a.nftables, "ip daddr 127.0.0.1 tcp dport 3128 accept"));

  const std::regex wild(net::wildcard_regex("pythonhosted.org"), std::regex::extended | std::regex::icase);
  CHECK(std::regex_search("files.pythonhosted.org", wild));
  CHECK(std::regex_search("a.b.pythonhosted.org", wild));
  CHECK(std::regex_search("FILES.PythonHosted.org", wild));
  CHECK_FALSE(std::regex_search("pythonhosted.org", wild));
  CHECK_FALSE(std::regex_search("evilpythonhosted.org", wild));
  CHECK_FALSE(std::regex_search("pythonhosted.org.evil.test", wild));

  const auto j = nlohmann::json::parse(a.egress_json);
  const auto& domains = j["allow"][0]["domains"];
  REQUIRE(domains.size() == 2);
  CHECK(domains[0] == nlohmann::json{{"name", "pypi.org"}, {"wildcard", false}});
  CHECK(domains[1] == nlohmann::json{{"name", "pythonhosted.org"}, {"wildcard", true}});
}

TEST_CASE("network: squid refuses IP literals and tunnels to other ports, denies before allows, deny all last") {
  const auto a = emitted(R"(  network {
    proxy 10.0.0.1 port 3128
    connect tcp 443 to "a.test"
    connect tcp 80, 8080 to "b.test"
    deny connect tcp 8080 to "b.test"
  })");
  const std::string& s = a.squid_conf;
  CHECK(has(s, "http_port 10.0.0.1:3128\n"));
  CHECK(has(s, "acl polc_allowed_ports port 80 443 8080\n"));
  CHECK(pos(s, "http_access deny polc_ip_literal") < pos(s, "http_access allow"));
  CHECK(pos(s, "http_access deny polc_connect !polc_allowed_ports") < pos(s, "http_access allow"));
  CHECK(pos(s, "http_access deny polc_deny_1_names polc_deny_1_ports") < pos(s, "http_access allow"));
  CHECK(has(s, "http_access allow polc_allow_1_names polc_allow_1_ports\n"));
  CHECK(has(s, "acl polc_allow_1_ports port 443\n"));
  CHECK(has(s, "acl polc_allow_2_ports port 80 8080\n"));
  CHECK(s.ends_with("http_access deny all\n"));
  for (const char* d : {"cache deny all\n", "via off\n", "forwarded_for delete\n"}) CHECK(has(s, d));

  // The literal patterns refuse every numeric and IPv6 host form and no name.
  const std::string literal_line = s.substr(pos(s, "acl polc_ip_literal"));
  // "acl polc_ip_literal dstdom_regex -n -i PATTERN PATTERN"
  std::istringstream words(literal_line.substr(0, literal_line.find('\n')));
  std::vector<std::string> tokens{std::istream_iterator<std::string>(words), {}};
  REQUIRE(tokens.size() == 7);
  std::vector<std::regex> patterns;
  for (size_t i = 5; i < tokens.size(); ++i) patterns.emplace_back(tokens[i], std::regex::extended | std::regex::icase);
  const auto literal = [&](const std::string& host) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::regex& r) { return std::regex_search(host, r); });
  };
  for (const char* h :
       {"127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "[::1]", "::1", "fd00:ec2::254", "::ffff:10.0.0.1"})
    CHECK_MESSAGE(literal(h), h);
  for (const char* h : {"a.test", "b.test", "1a.example", "cafe.example", "dead.beef"}) CHECK_MESSAGE(!literal(h), h);
}

TEST_CASE("network: deny rules on addresses bind the proxy's resolved destinations too") {
  const auto a = emitted(R"(  network {
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "a.test"
    deny to 10.1.0.0/16
  })");
  CHECK(pos(a.squid_conf, "http_access deny polc_deny_1_addresses\n") < pos(a.squid_conf, "http_access allow"));
  CHECK(has(a.squid_conf, "acl polc_deny_1_addresses dst 10.1.0.0/16\n"));
  CHECK(
      has(a.squid_conf, "acl polc_deny_2_addresses dst 100.100.100.200 168.63.129.16 169.254.169.254 fd00:ec2::254\n"));
}

TEST_CASE("network: port lists are merged ranges; protocol any covers every protocol with ports") {
  const auto a = emitted(R"(  network {
    proxy 127.0.0.1 port 3128
    connect tcp 8080-8090, 443, 8000-8080, 8091 to 10.0.0.0/8, "a.test"
    deny connect 25
    deny to 10.2.0.0/16
  })");
  CHECK(has(a.nftables, "ip daddr 10.0.0.0/8 tcp dport { 443, 8000-8091 } accept"));
  CHECK(has(a.nftables, "meta l4proto { tcp, udp, udplite, sctp, dccp } th dport 25 " + drop(0)));
  // No protocol and no ports: every packet to the block, ICMP included.
  CHECK(has(a.nftables, "\t\tip daddr 10.2.0.0/16 " + drop(1) + "\n"));
  const auto j = nlohmann::json::parse(a.egress_json);
  CHECK(j["allow"][0]["ports"] == nlohmann::json::parse("[[443,443],[8000,8091]]"));
  CHECK(j["deny"][0]["protocol"] == "any");
  CHECK(j["deny"][0]["any_host"] == true);
  CHECK(j["deny"][1]["ports"] == nlohmann::json::parse("[[1,65535]]"));
  CHECK(j["deny"][1]["cidrs"] == nlohmann::json::parse(R"(["10.2.0.0/16"])"));
}

TEST_CASE("network: several addresses go to a named set, without blocks that others contain") {
  const auto a = emitted("  network {\n    connect tcp 443 to 192.168.1.0/24, 10.1.0.0/16, 10.0.0.0/8, 10.0.0.1\n  }");
  CHECK(has(a.nftables, "elements = { 10.0.0.0/8, 192.168.1.0/24 }"));
  CHECK(has(a.nftables, "ip daddr @allow_1_v4 tcp dport 443 accept"));
  const auto sets = net::address_sets({v4(10, 0, 0, 0, 8), v4(10, 1, 0, 0, 16), v4(9, 0, 0, 0, 8)}, false);
  CHECK(sets.v4 == std::vector<std::string>{"9.0.0.0/8", "10.0.0.0/8"});
}

TEST_CASE("network: loopback is not accepted wholesale; bind rules are not filtered") {
  const auto a = emitted("  network {\n    connect tcp 8080 to 127.0.0.1\n    bind tcp 9000\n  }");
  CHECK(has(a.nftables, "ip daddr 127.0.0.1 tcp dport 8080 accept"));
  for (const auto& l : chain_lines(a.nftables)) {
    // No interface match ("oif lo", "oifname \"lo\""); the word "log" of the log statement is fine.
    CHECK_MESSAGE(std::regex_search(l, std::regex(R"(\blo\b|if)")) == false, l);
    CHECK_MESSAGE(l.find("9000") == std::string::npos, l);
  }
  // No IPv6 destination beyond loopback is allowed, so no neighbour discovery either.
  CHECK(!has(a.nftables, "nd-neighbor"));
  for (const auto& e : a.enforced) CHECK(!e.origin.where.ends_with(":5"));  // the bind rule
}

TEST_CASE("network: IPv6 destinations get neighbour discovery; every host means no address match") {
  const auto a = emitted("  network {\n    connect tcp 443 to fd00:1::/64\n    connect udp 53 to any\n  }");
  CHECK(has(a.nftables, "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept"));
  CHECK(has(a.nftables, "\t\tudp dport 53 accept\n"));
  CHECK(a.squid_conf.empty());
  CHECK(a.egress_json.empty());
}

TEST_CASE("network: no network section means everything but the denies is accepted") {
  auto c = test::compile(test::policy_with(""));
  REQUIRE(c->policy);
  CHECK_FALSE(c->policy->network.present);
  const auto a = net::emit(*c->policy);
  const auto lines = chain_lines(a.nftables);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0] == "type filter hook output priority filter; policy accept;");
  CHECK(lines[1] == "ip daddr @metadata_1_v4 " + drop(0));
  CHECK(lines[2] == "ip6 daddr @metadata_1_v6 " + drop(0));
  CHECK(lines[3] == "accept");
  CHECK(!has(a.nftables, "ct state"));
  CHECK(a.squid_conf.empty());
}

TEST_CASE("network: every artifact starts with a header naming the policy and polc, and is deterministic") {
  const std::string section = R"(  network {
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "pypi.org", "*.pythonhosted.org", 10.0.0.0/8, fd00::/8
    connect udp 53 to 127.0.0.53
    deny connect tcp 25, 465
  })";
  const auto a = emitted(section), b = emitted(section);
  CHECK(a.nftables == b.nftables);
  CHECK(a.squid_conf == b.squid_conf);
  CHECK(a.egress_json == b.egress_json);
  REQUIRE(a.enforced.size() == b.enforced.size());
  for (size_t i = 0; i < a.enforced.size(); ++i) {
    CHECK(a.enforced[i].artifact == b.enforced[i].artifact);
    CHECK(a.enforced[i].how == b.enforced[i].how);
  }
  CHECK(a.nftables.starts_with("# nftables.nft of policy t version 1, generated by polc."));
  CHECK(a.squid_conf.starts_with("# squid.conf of policy t version 1, generated by polc."));
  const auto j = nlohmann::json::parse(a.egress_json);
  CHECK(j["_comment"].get<std::string>().starts_with("egress.json of policy t version 1, generated by polc."));
  CHECK(a.egress_json == j.dump(2) + "\n");  // canonical: sorted keys, indent 2, one newline
  CHECK(j["format"] == "polc.egress/1");
  CHECK(j["policy"] == nlohmann::json{{"name", "t"}, {"version", 1}});
  CHECK(j["proxy"] == nlohmann::json{{"address", "127.0.0.1"}, {"port", 3128}});
  // udp rules never reach a tcp proxy.
  CHECK(j["allow"].size() == 1);
  CHECK(j["allow"][0]["cidrs"] == nlohmann::json::parse(R"(["10.0.0.0/8", "fd00::/8"])"));
  for (const auto* text : {&a.nftables, &a.squid_conf, &a.egress_json}) CHECK(!has(*text, "/virtual/"));
}

TEST_CASE("network: coverage entries say which artifact enforces which statement") {
  const auto a = emitted(R"(  network {
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "pypi.org"
    connect tcp 5432 to 10.20.0.0/16
    connect tcp 443 to "a.test", 10.30.0.0/16
    deny connect tcp 443 to "evil.test"
    deny tcp 25
    bind tcp 8000
  })");
  const auto entry = [&](const char* artifact, unsigned line) { return find_entry(a.enforced, artifact, line); };
  // Line numbers: the policy header is 2 lines, `network {` is line 3.
  REQUIRE(entry("squid.conf", 5));
  CHECK(entry("squid.conf", 5)->extent == Extent::Full);
  CHECK(entry("egress.json", 5)->extent == Extent::Full);
  CHECK(entry("nftables.nft", 5)->extent == Extent::Partial);
  REQUIRE(entry("nftables.nft", 6));
  CHECK(entry("nftables.nft", 6)->extent == Extent::Full);
  CHECK(entry("nftables.nft", 6)->how == "accepts tcp port 5432 to 10.20.0.0/16");
  CHECK(entry("squid.conf", 6) == nullptr);
  // Addresses and domains: each part enforced in full by its own file.
  CHECK(entry("nftables.nft", 7)->extent == Extent::Full);
  CHECK(entry("nftables.nft", 7)->part == backends::kPartAddresses);
  CHECK(entry("squid.conf", 7)->extent == Extent::Full);
  CHECK(entry("squid.conf", 7)->part == backends::kPartDomains);
  CHECK(entry("squid.conf", 5)->part.empty());
  CHECK(entry("squid.conf", 8)->extent == Extent::Full);
  CHECK(entry("nftables.nft", 8) == nullptr);
  // `deny tcp 25` names no direction, but no bind rule allows port 25: nothing it says is beyond nft.
  CHECK(entry("nftables.nft", 9)->extent == Extent::Full);
  for (const char* artifact : {"nftables.nft", "squid.conf", "egress.json"}) {
    CHECK(entry(artifact, 10) == nullptr);  // bind: Landlock's, never this backend's
    CHECK(entry(artifact, 4) != nullptr);   // the proxy statement
  }
}

TEST_CASE("network: IR built directly (a V6 proxy, domains only)") {
  ir::Policy p;
  p.name = "direct-ir";
  p.version = 9;
  p.network.present = true;
  ir::NetRule allow;
  allow.direction = ir::Direction::Connect;
  allow.proto = ir::Proto::Tcp;
  allow.ports = {{443, 443}};
  allow.hosts = {domain("example.org", true)};
  allow.origin.where = "/x/p.sbx:7";
  p.network.rules.push_back(allow);
  ir::Proxy proxy;
  proxy.address.kind = ir::HostKind::V6;
  proxy.address.addr[15] = 1;
  proxy.address.prefix = 128;
  proxy.port = 8888;
  p.network.proxy = proxy;
  const auto a = net::emit(p);
  CHECK(has(a.nftables, "table inet polc_direct_ir {"));  // '-' is not part of an nft identifier
  CHECK(has(a.nftables, "ip6 daddr ::1 tcp dport 8888 accept"));
  CHECK(has(a.squid_conf, "http_port [::1]:8888\n"));
  CHECK(has(a.squid_conf, "# line 7: connect tcp 443 to *.example.org\n"));
  CHECK(nlohmann::json::parse(a.egress_json)["proxy"]["address"] == "::1");
}

TEST_CASE("network: a deny without direction that narrows a bind rule is only partly nftables'") {
  const auto a = emitted("  network {\n    bind tcp 8000-8100\n    deny tcp 8080\n    deny udp 8080\n  }");
  const auto* tcp = find_entry(a.enforced, "nftables.nft", 5);
  const auto* udp = find_entry(a.enforced, "nftables.nft", 6);
  REQUIRE(tcp);
  REQUIRE(udp);
  CHECK(tcp->extent == Extent::Partial);  // it takes tcp 8080 away from the bind rule
  CHECK(udp->extent == Extent::Full);     // no udp bind is allowed anyway
  CHECK(find_entry(a.enforced, "nftables.nft", 4) == nullptr);
}

TEST_CASE("network: every drop is logged with the index of its deny rule in the IR, or as the default") {
  // The domain-only deny has no line here but keeps its index: the prefix is the IR's position,
  // which is what the attribution in the bundle is keyed by.
  const ir::Policy p = compiled(R"(  network {
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "a.test"
    deny connect tcp 443 to "b.test"
    deny connect udp 53 to 10.0.0.0/8, fd00::/8
  })");
  REQUIRE(p.network.rules.size() >= 3);
  CHECK(p.network.rules[0].deny);
  CHECK(p.network.rules[1].deny);
  const std::string nft = net::emit(p).nftables;
  CHECK(has(nft, "\t\tip daddr 10.0.0.0/8 udp dport 53 " + drop(1) + "\n"));
  CHECK(has(nft, "\t\tip6 daddr fd00::/8 udp dport 53 " + drop(1) + "\n"));
  CHECK_FALSE(has(nft, drop(0)));
  CHECK(has(nft, "\t\t" + kDefaultDrop + "\n"));
  // Every drop in the chain is logged, with the group the launcher listens on.
  for (const auto& l : chain_lines(nft))
    if (l.ends_with("drop") && !l.ends_with("policy drop;")) CHECK_MESSAGE(has(l, "log prefix \"polc "), l);
  CHECK(net::kNflogGroup == 27);
  // Without a network section nothing is refused by default: no default log line.
  auto c = test::compile(test::policy_with(""));
  REQUIRE(c->policy);
  CHECK_FALSE(has(net::emit(*c->policy).nftables, kDefaultDrop));
}
