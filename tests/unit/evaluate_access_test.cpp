// Unit tests of the reference semantics of the filesystem and network sections
// (compiler/ir/evaluate_access.h) and of the representative requests of a network query
// (compiler/ir/net_query_regions.h), on policies compiled from source.
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include "compiler/ir/evaluate_access.h"
#include "compiler/ir/net_query_regions.h"
#include "tests/unit/test_support.h"

using namespace polc;
namespace fr = ir::fs_right;

namespace {

ir::Policy compiled(const std::string& body) {
  auto c = test::compile(test::policy_with(body));
  if (!c->policy) FAIL("the policy did not compile: " << body);
  return *c->policy;
}

// Lines of the deciding origins ("test.sbx:5" -> 5), for checking which statements decided.
std::vector<std::string> where(const std::vector<ir::Origin>& origins) {
  std::vector<std::string> out;
  for (const ir::Origin& o : origins) out.push_back(o.where.substr(o.where.rfind(':') + 1));
  return out;
}

ir::NetRequest to_address(const std::string& text, uint16_t port, ir::Proto proto = ir::Proto::Tcp) {
  ir::NetRequest r;
  r.proto = proto;
  r.port = port;
  r.dest = ir::NetRequest::Dest::Address;
  ir::Host h;
  if (inet_pton(AF_INET, text.c_str(), h.addr.data()) == 1) {
    h.kind = ir::HostKind::V4;
    h.prefix = 32;
  } else {
    REQUIRE(inet_pton(AF_INET6, text.c_str(), h.addr.data()) == 1);
    h.kind = ir::HostKind::V6;
    h.prefix = 128;
  }
  r.addr = ir::address_of(h);
  return r;
}

ir::NetRequest to_domain(const std::string& name, uint16_t port) {
  ir::NetRequest r;
  r.port = port;
  r.dest = ir::NetRequest::Dest::Domain;
  r.domain = name;
  return r;
}

ir::NetRequest bind(uint16_t port, ir::Proto proto = ir::Proto::Tcp) {
  ir::NetRequest r;
  r.direction = ir::Direction::Bind;
  r.proto = proto;
  r.port = port;
  return r;
}

bool allowed(const ir::Policy& p, const ir::NetRequest& r) { return ir::decide_net(p.network, r).allowed; }

constexpr const char* kFiles = R"(
  filesystem {
    landlock abi >= 3
    read "/usr"
    read, write "/workspace"
    deny write "/etc"
    deny read "/workspace-secrets"
    execute "/usr/bin/python3"
  })";

}  // namespace

TEST_CASE("beneath: the path itself and what is under it, by whole segments") {
  CHECK(ir::beneath("/usr", "/usr"));
  CHECK(ir::beneath("/usr/lib/x", "/usr"));
  CHECK_FALSE(ir::beneath("/usrx", "/usr"));
  CHECK_FALSE(ir::beneath("/us", "/usr"));
  CHECK(ir::beneath("/anything", "/"));
  CHECK(ir::beneath("/", "/"));
  CHECK_FALSE(ir::beneath("/", "/usr"));
}

TEST_CASE("filesystem: grants beneath a path, denies win, no grant is a denial") {
  const ir::Policy p = compiled(kFiles);
  const auto& fs = p.filesystem;
  CHECK(ir::decide_fs(fs, "/usr/lib/os.py", fr::kReadFile).allowed);
  CHECK(ir::decide_fs(fs, "/usr", fr::kReadDir).allowed);
  CHECK_FALSE(ir::decide_fs(fs, "/usr/lib/os.py", fr::kWriteFile).allowed);
  CHECK_FALSE(ir::decide_fs(fs, "/usrlocal/x", fr::kReadFile).allowed);
  CHECK(ir::decide_fs(fs, "/workspace/a/b", fr::kTruncate).allowed);
  CHECK(ir::decide_fs(fs, "/usr/bin/python3", fr::kExecute).allowed);
  CHECK_FALSE(ir::decide_fs(fs, "/usr/bin/python3.11", fr::kExecute).allowed);

  const ir::FsDecision granted = ir::decide_fs(fs, "/workspace/out", fr::kWriteFile);
  CHECK(granted.reason == ir::FsDecision::Reason::Granted);
  CHECK(where(granted.deciding) == std::vector<std::string>{"7"});

  const ir::FsDecision denied = ir::decide_fs(fs, "/etc/passwd", fr::kWriteFile);
  CHECK_FALSE(denied.allowed);
  CHECK(denied.reason == ir::FsDecision::Reason::Denied);
  CHECK(where(denied.deciding) == std::vector<std::string>{"8"});

  // Nothing grants it: the `landlock abi` statement is what restricts it.
  const ir::FsDecision none = ir::decide_fs(fs, "/root/.ssh/id_ed25519", fr::kReadFile);
  CHECK(none.reason == ir::FsDecision::Reason::NotGranted);
  CHECK(where(none.deciding) == std::vector<std::string>{"5"});
}

TEST_CASE("filesystem: a deny beats a grant that also covers the path") {
  // Landlock cannot enforce this (E0606 at build), but the reference meaning is still defined.
  ir::Filesystem fs;
  fs.present = true;
  fs.handled = ir::fs_rights_for_abi(1);
  fs.rules = {{"/", fr::kReadFile, false, {}}, {"/secret", fr::kReadFile, true, {}}};
  CHECK(ir::decide_fs(fs, "/x", fr::kReadFile).allowed);
  CHECK_FALSE(ir::decide_fs(fs, "/secret/key", fr::kReadFile).allowed);
  CHECK(ir::decide_fs(fs, "/secretary", fr::kReadFile).allowed);
}

TEST_CASE("filesystem: unrestricted without a section and for rights the ABI cannot restrict") {
  const ir::Policy none = compiled("");
  CHECK(ir::decide_fs(none.filesystem, "/etc/shadow", fr::kReadFile).reason == ir::FsDecision::Reason::NoSection);
  CHECK(ir::decide_fs(none.filesystem, "/etc/shadow", fr::kReadFile).allowed);

  const ir::Policy abi1 = compiled("filesystem {\n landlock abi >= 1\n read \"/usr\"\n}");
  const ir::FsDecision trunc = ir::decide_fs(abi1.filesystem, "/etc/passwd", fr::kTruncate);
  CHECK(trunc.allowed);
  CHECK(trunc.reason == ir::FsDecision::Reason::Unhandled);
  CHECK_FALSE(ir::decide_fs(abi1.filesystem, "/etc/passwd", fr::kWriteFile).allowed);
}

TEST_CASE("fs_right_name names every right bit") {
  CHECK(ir::fs_right_name(fr::kReadFile) == "read_file");
  CHECK(ir::fs_right_name(fr::kIoctlDev) == "ioctl_dev");
  CHECK(ir::fs_right_name(fr::kReadFile | fr::kReadDir).empty());
}

TEST_CASE("addresses: IPv4 is ::ffff:a.b.c.d in one space") {
  const ir::NetRequest v4 = to_address("10.1.2.3", 1);
  const ir::NetRequest mapped = to_address("::ffff:10.1.2.3", 1);
  CHECK(v4.addr == mapped.addr);
  CHECK(ir::address_text(v4.addr) == "10.1.2.3");
  CHECK(ir::address_text(to_address("fd00::1", 1).addr) == "fd00::1");
  CHECK(ir::request_text(to_address("10.1.2.3", 443)) == "connect tcp 443 to 10.1.2.3");
  CHECK(ir::request_text(to_domain("pypi.org", 443)) == "connect tcp 443 to \"pypi.org\"");
  CHECK(ir::request_text(bind(8000, ir::Proto::Udp)) == "bind udp 8000");
}

TEST_CASE("network: ports, protocols, blocks and directions") {
  const ir::Policy p = compiled(R"(
  network {
    connect tcp 5432 to 10.20.0.0/16, fd00:1::/64
    connect udp 53 to 127.0.0.53
    connect tcp 8000-8080
    bind tcp 3000
  })");
  CHECK(allowed(p, to_address("10.20.3.4", 5432)));
  CHECK_FALSE(allowed(p, to_address("10.21.0.1", 5432)));
  CHECK_FALSE(allowed(p, to_address("10.20.3.4", 5433)));
  CHECK_FALSE(allowed(p, to_address("10.20.3.4", 5432, ir::Proto::Udp)));
  CHECK(allowed(p, to_address("fd00:1::abcd", 5432)));
  CHECK_FALSE(allowed(p, to_address("fd00:2::1", 5432)));
  CHECK(allowed(p, to_address("127.0.0.53", 53, ir::Proto::Udp)));
  // A rule without hosts covers every address and every domain.
  CHECK(allowed(p, to_address("8.8.8.8", 8080)));
  CHECK(allowed(p, to_domain("example.org", 8000)));
  CHECK_FALSE(allowed(p, to_address("8.8.8.8", 8081)));
  // Binds: only rules without hosts, of the bind direction.
  CHECK(allowed(p, bind(3000)));
  CHECK_FALSE(allowed(p, bind(8000)));
  CHECK_FALSE(allowed(p, bind(3000, ir::Proto::Udp)));

  const ir::NetDecision d = ir::decide_net(p.network, to_address("10.20.3.4", 5432));
  CHECK(d.reason == ir::NetDecision::Reason::Allowed);
  CHECK(where(d.deciding) == std::vector<std::string>{"5"});
  CHECK(ir::decide_net(p.network, to_address("1.1.1.1", 1)).reason == ir::NetDecision::Reason::NotAllowed);
}

TEST_CASE("network: a V4 block matches its IPv4-mapped form and a mapped V6 block its IPv4 addresses") {
  const ir::Policy p = compiled(R"(
  network {
    connect tcp 443 to 10.0.0.0/8
    connect tcp 80 to ::ffff:192.168.0.0/112
  })");
  CHECK(allowed(p, to_address("::ffff:10.9.9.9", 443)));
  CHECK(allowed(p, to_address("192.168.3.4", 80)));
  CHECK_FALSE(allowed(p, to_address("192.169.0.1", 80)));
}

TEST_CASE("network: domains match exactly, wildcards only strict subdomains") {
  const ir::Policy p = compiled(R"(
  network {
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "pypi.org", "*.pythonhosted.org"
  })");
  CHECK(allowed(p, to_domain("pypi.org", 443)));
  CHECK_FALSE(allowed(p, to_domain("www.pypi.org", 443)));
  CHECK(allowed(p, to_domain("files.pythonhosted.org", 443)));
  CHECK(allowed(p, to_domain("a.b.pythonhosted.org", 443)));
  CHECK_FALSE(allowed(p, to_domain("pythonhosted.org", 443)));
  CHECK_FALSE(allowed(p, to_domain("evilpythonhosted.org", 443)));
  CHECK_FALSE(allowed(p, to_domain("pypi.org", 80)));
  // A domain rule never admits an address, and an address request reaches the proxy only.
  CHECK_FALSE(allowed(p, to_address("151.101.0.223", 443)));
  const ir::NetDecision proxy = ir::decide_net(p.network, to_address("127.0.0.1", 3128));
  CHECK(proxy.allowed);
  CHECK(proxy.reason == ir::NetDecision::Reason::Proxy);
  CHECK(where(proxy.deciding) == std::vector<std::string>{"5"});
  CHECK_FALSE(allowed(p, to_address("127.0.0.1", 3129)));
  CHECK_FALSE(allowed(p, to_address("127.0.0.1", 3128, ir::Proto::Udp)));
  CHECK(allowed(p, to_address("::ffff:127.0.0.1", 3128)));
}

TEST_CASE("network: the proxy is reachable only when an allow rule names a domain") {
  const ir::Policy p = compiled(R"(
  network {
    proxy 127.0.0.1 port 3128
    connect tcp 443 to 10.0.0.1
  })");
  CHECK_FALSE(ir::proxy_open(p.network));
  CHECK_FALSE(allowed(p, to_address("127.0.0.1", 3128)));
}

TEST_CASE("network: deny rules win, and without a network section the rest is allowed") {
  const ir::Policy p = compiled(R"(
  network {
    connect tcp any
    deny connect tcp 25
    deny to 10.0.0.0/8
  })");
  CHECK(allowed(p, to_address("1.2.3.4", 443)));
  CHECK_FALSE(allowed(p, to_address("1.2.3.4", 25)));
  CHECK_FALSE(allowed(p, to_domain("mail.example.org", 25)));
  CHECK_FALSE(allowed(p, to_address("10.1.1.1", 443)));
  CHECK(ir::decide_net(p.network, to_address("10.1.1.1", 443)).reason == ir::NetDecision::Reason::Denied);
  // A deny that names hosts does not apply to binds.
  CHECK_FALSE(allowed(p, bind(443)));  // no bind rule in a network section

  const ir::Policy open = compiled("");
  CHECK(allowed(open, to_address("1.2.3.4", 22)));
  CHECK(allowed(open, bind(22)));
  CHECK(ir::decide_net(open.network, bind(22)).reason == ir::NetDecision::Reason::NoSection);
  // ... except the implicit cloud-metadata deny, which every policy has.
  const ir::NetDecision meta = ir::decide_net(open.network, to_address("169.254.169.254", 80));
  CHECK_FALSE(meta.allowed);
  REQUIRE(meta.deciding.size() == 1);
  CHECK(meta.deciding[0].where == "implicit: cloud metadata endpoints");
  CHECK_FALSE(allowed(open, to_address("::ffff:169.254.169.254", 80)));
  CHECK_FALSE(allowed(open, to_address("fd00:ec2::254", 443)));
}

TEST_CASE("network: an opened metadata endpoint is open for its ports only, in both forms") {
  const ir::Policy p = compiled("network {\n connect tcp 80 to 169.254.169.254\n}");
  CHECK(allowed(p, to_address("169.254.169.254", 80)));
  // The same address on the wire; the implicit rule's mapped form does not take it back.
  CHECK(allowed(p, to_address("::ffff:169.254.169.254", 80)));
  CHECK_FALSE(allowed(p, to_address("169.254.169.254", 81)));
  CHECK_FALSE(allowed(p, to_address("169.254.169.254", 80, ir::Proto::Udp)));
  CHECK_FALSE(allowed(p, to_address("100.100.100.200", 80)));
  CHECK_FALSE(allowed(p, to_address("::ffff:100.100.100.200", 80)));
  // A written deny of the mapped forms (std.net's set) keeps them denied, as on the wire.
  const ir::Policy kept =
      compiled("import std.net\nnetwork {\n connect tcp 80 to 169.254.169.254\n deny to @cloud_metadata\n}");
  CHECK_FALSE(allowed(kept, to_address("169.254.169.254", 80)));
}

// ---- representative requests ----

namespace {

ir::NetQuery query(ir::Direction dir, std::optional<ir::PortRange> port, std::optional<ir::Host> host = std::nullopt) {
  ir::NetQuery q;
  q.direction = dir;
  q.port = port;
  q.host = std::move(host);
  return q;
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

std::vector<uint16_t> ports_of(const std::vector<ir::NetRequest>& rs) {
  std::vector<uint16_t> out;
  for (const auto& r : rs)
    if (out.empty() || out.back() != r.port) out.push_back(r.port);
  return out;
}

}  // namespace

TEST_CASE("representatives: a port range is cut at the rules' port bounds inside it") {
  const ir::Policy p = compiled("network {\n connect tcp 8000-8080, 9000\n bind tcp 22\n}");
  const auto rs =
      ir::representative_requests(p.network, query(ir::Direction::Connect, ir::PortRange{7000, 9500}, v4(1, 2, 3, 4)));
  CHECK(ports_of(rs) == std::vector<uint16_t>{7000, 8000, 8081, 9000, 9001});
  // One port: one request.
  const ir::NetQuery one = query(ir::Direction::Connect, ir::PortRange{443, 443}, v4(1, 2, 3, 4));
  CHECK(ir::representative_requests(p.network, one).size() == 1);
  // Every port of a bind: cut by the bind rule only (rules of the other direction cannot match).
  const auto binds = ir::representative_requests(p.network, query(ir::Direction::Bind, std::nullopt));
  CHECK(ports_of(binds) == std::vector<uint16_t>{1, 22, 23});
}

TEST_CASE("representatives: every destination reaches every block and domain region") {
  const ir::Policy p = compiled(R"(
  network {
    proxy 127.0.0.1 port 3128
    connect tcp 443 to 10.0.0.0/8, "pypi.org", "*.pythonhosted.org"
    deny connect tcp 443 to 10.1.0.0/16
  })");
  const auto rs = ir::representative_requests(p.network, query(ir::Direction::Connect, ir::PortRange{443, 443}));
  bool in_10 = false, in_10_1 = false, outside = false, pypi = false, sub = false, other = false;
  for (const ir::NetRequest& r : rs) {
    const bool allow = allowed(p, r);
    if (r.dest == ir::NetRequest::Dest::Domain) {
      if (r.domain == "pypi.org") pypi = allow;
      else if (r.domain.ends_with(".pythonhosted.org")) sub = allow;
      else other = !allow;
      continue;
    }
    const std::string a = ir::address_text(r.addr);
    if (a.starts_with("10.1.")) in_10_1 = !allow;
    else if (a.starts_with("10.")) in_10 = allow;
    else outside = outside || !allow;
  }
  CHECK(in_10);
  CHECK(in_10_1);
  CHECK(outside);
  CHECK(pypi);
  CHECK(sub);
  CHECK(other);
}

TEST_CASE("representatives: a block covered by smaller blocks has no region of its own") {
  const ir::Policy p = compiled("network {\n connect tcp 1 to 10.0.0.0/9, 10.128.0.0/9\n deny to 10.0.0.0/8\n}");
  const auto rs =
      ir::representative_requests(p.network, query(ir::Direction::Connect, ir::PortRange{1, 1}, v4(10, 0, 0, 0, 8)));
  CHECK(rs.size() == 2);  // one in each half; none in 10.0.0.0/8 outside both
  for (const auto& r : rs) CHECK(ir::address_text(r.addr).starts_with("10."));
}

TEST_CASE("representatives: a wildcard query is cut at the names under it") {
  const ir::Policy p = compiled(R"(
  network {
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "*.example.org", "x.example.org", "a.b.example.org", "*.c.example.org", "example.org"
  })");
  const ir::NetQuery q = query(ir::Direction::Connect, ir::PortRange{443, 443}, domain("example.org", true));
  const auto rs = ir::representative_requests(p.network, q);
  std::vector<std::string> names;
  for (const auto& r : rs) names.push_back(r.domain);
  // x.example.org is listed, so the fresh subdomain is x1.example.org; example.org is not under it.
  CHECK(names == std::vector<std::string>{"a.b.example.org", "x.c.example.org", "x.example.org", "x1.example.org"});
}
