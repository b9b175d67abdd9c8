// Unit tests of the network dimension of the verifier (compiler/verify/net_*): the Z3 encoding
// against the reference semantics (compiler/ir/evaluate_access.h), the lints W0009 and W0011, the
// proofs of network assertions, and `polc diff`'s network regions.
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include "compiler/ir/evaluate_access.h"
#include "compiler/ir/net_query_regions.h"
#include "compiler/sema/analyze.h"
#include "compiler/verify/net_assertions.h"
#include "compiler/verify/net_checks.h"
#include "compiler/verify/net_diff.h"
#include "compiler/verify/net_domains.h"
#include "compiler/verify/net_encoding.h"
#include "compiler/verify/net_text.h"
#include "tests/unit/test_support.h"

using namespace polc;
using verify::AssertionOutcome;
using verify::DiffEntry;

namespace {

std::unique_ptr<test::Compiled> compiled(const std::string& body) {
  auto c = test::compile(test::policy_with(body));
  if (!c->policy) {
    std::string all;
    for (const auto& d : c->engine.diagnostics()) all += d.message + "\n";
    FAIL("the policy did not compile:\n" << body << "\n" << all);
  }
  return c;
}

std::string network(const std::string& rules) { return "  network {\n" + rules + "\n  }"; }

// What check_network added to the engine (it runs once: the engine drops exact repeats).
struct Lints {
  const test::Compiled* c = nullptr;
  std::vector<const diag::Diagnostic*> all;

  std::vector<const diag::Diagnostic*> of(diag::Code code) const {
    std::vector<const diag::Diagnostic*> out;
    for (const diag::Diagnostic* d : all)
      if (d->code == code) out.push_back(d);
    return out;
  }
  unsigned line(const diag::SourceRange& r) const { return c->sources.line_col(r.file, r.begin).line; }
  std::vector<unsigned> lines(diag::Code code) const {
    std::vector<unsigned> out;
    for (const diag::Diagnostic* d : of(code)) out.push_back(line(d->range));
    return out;
  }
};

Lints lint(test::Compiled& c) {
  const size_t before = c.engine.diagnostics().size();
  const verify::Work work = verify::check_network(*c.policy, c.engine);
  CHECK(work.unknown == 0);
  Lints l;
  l.c = &c;
  for (size_t i = before; i < c.engine.diagnostics().size(); ++i) l.all.push_back(&c.engine.diagnostics()[i]);
  std::sort(l.all.begin(), l.all.end(),
            [](const diag::Diagnostic* a, const diag::Diagnostic* b) { return a->range.begin < b->range.begin; });
  return l;
}

// ---- requests in both vocabularies ----

ir::IpAddress ip(const std::string& text) {
  ir::Host h;
  if (inet_pton(AF_INET, text.c_str(), h.addr.data()) == 1) {
    h.kind = ir::HostKind::V4;
    h.prefix = 32;
  } else {
    REQUIRE(inet_pton(AF_INET6, text.c_str(), h.addr.data()) == 1);
    h.kind = ir::HostKind::V6;
    h.prefix = 128;
  }
  return ir::address_of(h);
}

verify::Addr128 to_addr128(const ir::IpAddress& a) {
  verify::Addr128 out;
  for (int i = 0; i < 8; ++i) {
    out.hi = out.hi << 8 | a[i];
    out.lo = out.lo << 8 | a[8 + i];
  }
  return out;
}

verify::NetRequest to_verify(const ir::NetRequest& r) {
  verify::NetRequest v;
  v.direction = r.direction;
  v.proto = r.proto;
  v.port = r.port;
  v.dest = static_cast<verify::NetRequest::Dest>(r.dest);
  v.addr = to_addr128(r.addr);
  v.domain = r.domain;
  return v;
}

// The counterexamples and witnesses the verifier prints, read back: "connect tcp 22 to 10.0.0.1",
// "connect tcp 443 to \"x.org\"", "bind udp 53".
ir::NetRequest parse_request(const std::string& text) {
  std::istringstream in(text);
  std::string dir, proto, to, host;
  unsigned port = 0;
  in >> dir >> proto >> port >> to >> host;
  ir::NetRequest r;
  r.direction = dir == "bind" ? ir::Direction::Bind : ir::Direction::Connect;
  r.proto = proto == "udp" ? ir::Proto::Udp : ir::Proto::Tcp;
  r.port = static_cast<uint16_t>(port);
  if (to == "to" && host.front() == '"') {
    r.dest = ir::NetRequest::Dest::Domain;
    r.domain = host.substr(1, host.size() - 2);
  } else if (to == "to") {
    r.dest = ir::NetRequest::Dest::Address;
    r.addr = ip(host);
  }
  CHECK(ir::request_text(r) == text);
  return r;
}

// The Z3 formula's verdict on one concrete request.
class Z3Oracle {
 public:
  Z3Oracle(const ir::Policy& policy, const verify::DomainUniverse& universe)
      : net_(verify::read_network(policy)), universe_(universe), ctx_(verify::shared_context()), query_(ctx_),
        enc_(ctx_, universe),
        allowed_(enc_.allowed(net_)) {}

  bool allowed(const ir::NetRequest& r) {
    const verify::NetVars& v = enc_.vars();
    z3::expr at = v.direction == ctx_.bv_val(static_cast<unsigned>(r.direction), 2) &&
                  v.proto == ctx_.bv_val(static_cast<unsigned>(r.proto), 2) && v.port == ctx_.bv_val(r.port, 16) &&
                  v.dest == ctx_.bv_val(static_cast<unsigned>(r.dest), 2);
    if (r.dest == ir::NetRequest::Dest::Address) {
      const verify::Addr128 a = to_addr128(r.addr);
      at = at && v.addr == z3::concat(ctx_.bv_val(a.hi, 64), ctx_.bv_val(a.lo, 64));
    }
    if (r.dest == ir::NetRequest::Dest::Domain) {
      const auto index = universe_.index(universe_.representative(r.domain));
      REQUIRE(index);
      at = at && v.domain == ctx_.bv_val(*index, universe_.bits());
    }
    const verify::Answer a = query_.check(enc_.well_formed() && at && allowed_);
    REQUIRE(a != verify::Answer::Unknown);
    return a == verify::Answer::Sat;
  }

  const verify::NetPolicy& net() const { return net_; }

 private:
  verify::NetPolicy net_;
  const verify::DomainUniverse& universe_;
  z3::context& ctx_;
  verify::Query query_;
  verify::NetEncoder enc_;
  z3::expr allowed_;
};

verify::DomainUniverse universe_of(const ir::Policy& p) {
  verify::DomainUniverse u;
  u.add_policy(p);
  u.finish();
  return u;
}

// Random requests that hit the policy's own blocks, names and ports (and their edges) often.
class RequestGen {
 public:
  RequestGen(const ir::Policy& p, const verify::DomainUniverse& u, unsigned seed) : rng_(seed) {
    for (const ir::NetRule& r : p.network.rules) {
      for (const ir::Host& h : r.hosts) {
        if (h.kind == ir::HostKind::Domain) names_.push_back(h.domain);
        if (h.kind == ir::HostKind::V4 || h.kind == ir::HostKind::V6) hosts_.push_back(h);
      }
      for (const ir::PortRange& pr : r.ports)
        for (int d : {-1, 0, 1}) {
          ports_.push_back(static_cast<uint16_t>(std::clamp<int>(pr.low + d, 1, 65535)));
          ports_.push_back(static_cast<uint16_t>(std::clamp<int>(pr.high + d, 1, 65535)));
        }
    }
    if (p.network.proxy) {
      hosts_.push_back(p.network.proxy->address);
      ports_.push_back(p.network.proxy->port);
    }
    for (size_t i = 0; i < u.size(); ++i) names_.push_back(u.name(i));
    names_.push_back("deep.er.x.example.org");
  }

  ir::NetRequest next() {
    ir::NetRequest r;
    r.direction = pick(4) == 0 ? ir::Direction::Bind : ir::Direction::Connect;
    r.proto = pick(2) ? ir::Proto::Udp : ir::Proto::Tcp;
    r.port = !ports_.empty() && pick(3) ? ports_[pick(ports_.size())] : static_cast<uint16_t>(1 + pick(65535));
    if (r.direction == ir::Direction::Bind) return r;
    if (pick(3) == 0 && !names_.empty()) {
      r.dest = ir::NetRequest::Dest::Domain;
      r.domain = names_[pick(names_.size())];
      if (pick(3) == 0) r.domain = "a" + std::to_string(pick(3)) + "." + r.domain;
      return r;
    }
    r.dest = ir::NetRequest::Dest::Address;
    for (auto& b : r.addr) b = static_cast<uint8_t>(pick(256));
    if (pick(2)) r.addr = ip(std::to_string(pick(256)) + "." + std::to_string(pick(256)) + ".0." + std::to_string(pick(256)));
    if (!hosts_.empty() && pick(3)) {
      // Inside one of the policy's blocks: its bits above the prefix, random ones below.
      const ir::Host& h = hosts_[pick(hosts_.size())];
      const ir::IpAddress base = ir::address_of(h);
      const unsigned prefix = ir::prefix_of(h);
      for (unsigned bit = 0; bit < 128; ++bit) {
        const bool v = bit < prefix ? (base[bit / 8] >> (7 - bit % 8)) & 1 : (pick(8) == 0);
        const uint8_t mask = static_cast<uint8_t>(1u << (7 - bit % 8));
        r.addr[bit / 8] = static_cast<uint8_t>(v ? r.addr[bit / 8] | mask : r.addr[bit / 8] & ~mask);
      }
    }
    return r;
  }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  std::mt19937 rng_;
  std::vector<std::string> names_;
  std::vector<ir::Host> hosts_;
  std::vector<uint16_t> ports_;
};

// Compares the Z3 formula, the verifier's concrete reading and the reference on `n` requests.
void cross_check(const ir::Policy& policy, unsigned seed, int n) {
  const verify::DomainUniverse u = universe_of(policy);
  Z3Oracle z3(policy, u);
  RequestGen gen(policy, u, seed);
  for (int i = 0; i < n; ++i) {
    const ir::NetRequest r = gen.next();
    const bool reference = ir::decide_net(policy.network, r).allowed;
    INFO(policy.name << ": " << ir::request_text(r));
    CHECK(verify::decide(z3.net(), to_verify(r)).allowed == reference);
    CHECK(z3.allowed(r) == reference);
    if (r.dest == ir::NetRequest::Dest::Domain) {
      // The finite set of names is exact: a name is decided like its representative.
      ir::NetRequest rep = r;
      rep.domain = u.representative(r.domain);
      CHECK(ir::decide_net(policy.network, rep).allowed == reference);
    }
  }
}

ir::Policy example(const std::string& name) {
  diag::SourceManager sources;
  diag::Engine engine(sources);
  const std::string path = std::string(POLC_SOURCE_DIR) + "/examples/" + name;
  auto text = sema::read_source(engine, path, {});
  REQUIRE(text);
  auto policy = sema::analyze(engine, *text, path, {});
  REQUIRE(policy);
  return *policy;
}

std::vector<std::string> example_names() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/examples"))
    if (e.path().extension() == ".sbx") out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

AssertionOutcome prove(const ir::Policy& p, size_t index = 0) {
  REQUIRE(p.assertions.size() > index);
  return verify::prove_net(p, p.assertions[index]);
}

// A failing assertion's counterexample lies in the query and is decided as the outcome says.
void check_counterexample(const ir::Policy& p, const ir::Assertion& a, const AssertionOutcome& out) {
  REQUIRE(out.result == AssertionOutcome::Result::Fails);
  const ir::NetRequest r = parse_request(out.counterexample);
  const ir::NetQuery& q = a.query.net;
  CHECK(r.direction == q.direction);
  CHECK(r.proto == q.proto);
  if (q.port) CHECK((q.port->low <= r.port && r.port <= q.port->high));
  const auto d = ir::decide_net(p.network, r);
  CHECK(d.allowed == a.never);
  CHECK(out.decision == (d.allowed ? "allowed" : "denied"));
  REQUIRE(out.deciding.size() == d.deciding.size());
  for (size_t i = 0; i < d.deciding.size(); ++i) CHECK(out.deciding[i].where == d.deciding[i].where);
}

std::vector<const DiffEntry*> side(const std::vector<DiffEntry>& entries, bool widened) {
  std::vector<const DiffEntry*> out;
  for (const DiffEntry& e : entries)
    if (e.widened == widened) out.push_back(&e);
  return out;
}

void check_witnesses(const ir::Policy& old_p, const ir::Policy& new_p, const std::vector<DiffEntry>& entries) {
  for (const DiffEntry& e : entries) {
    if (e.witness.empty()) continue;
    INFO(e.region << " / " << e.witness);
    const ir::NetRequest r = parse_request(e.witness);
    CHECK(ir::decide_net(new_p.network, r).allowed == e.widened);
    CHECK(ir::decide_net(old_p.network, r).allowed == !e.widened);
    CHECK(e.dimension == DiffEntry::Dimension::Network);
    CHECK(e.new_rules.size() == ir::decide_net(new_p.network, r).deciding.size());
    CHECK(e.old_rules.size() == ir::decide_net(old_p.network, r).deciding.size());
  }
}

}  // namespace

// ---- the encoding against the reference semantics ----

TEST_CASE("net model: the Z3 formula decides like the reference on every example") {
  for (const std::string& name : example_names()) {
    const ir::Policy p = example(name);
    cross_check(p, 7, 300);
  }
}

TEST_CASE("net model: the Z3 formula decides like the reference on mapped, proxy and domain rules") {
  auto c = compiled(network(R"(
    proxy 10.200.0.1 port 3128
    connect tcp 443 to "pypi.org", "*.pythonhosted.org", "*.a.example.org"
    connect tcp 443, 8000-8080 to ::ffff:10.0.0.0/104, fd00::/8
    connect udp 53 to 127.0.0.53
    connect tcp 80 to 169.254.169.254
    connect tcp 80 to ::ffff:100.100.100.200
    bind tcp 3000-3009
    bind udp any
    deny connect tcp 8001 to 10.1.0.0/16
    deny tcp to "files.pythonhosted.org", "*.b.a.example.org"
    deny connect tcp 25
    deny bind udp 53)"));
  cross_check(*c->policy, 11, 1500);
}

TEST_CASE("net model: the finite set of names, and readable fresh names") {
  auto c = compiled(network(R"(
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "*.example.org", "x.example.org", "a.b.example.org", "example")"));
  const verify::DomainUniverse u = universe_of(*c->policy);
  CHECK(u.representative("x.example.org") == "x.example.org");
  CHECK(u.representative("y.example.org") == "x1.example.org");  // x.example.org is a known name
  CHECK(u.representative("q.a.b.example.org") == "x.a.b.example.org");
  CHECK(u.representative("pypi.org") == "unlisted.invalid");      // "example" is a known name
  ir::Host wildcard;
  wildcard.kind = ir::HostKind::Domain;
  wildcard.domain = "example.org";
  wildcard.wildcard = true;
  const auto [first, last] = u.range(wildcard);
  REQUIRE(first <= last);
  for (size_t i = 0; i < u.size(); ++i)
    CHECK(((first <= i && i <= last) == ir::domain_matches(wildcard, u.name(i))));
}

// ---- W0011 and W0009 ----

TEST_CASE("net checks: an allow that deny rules take away entirely is W0011") {
  auto c = compiled(network(R"(
    connect tcp 443 to 10.0.0.0/8
    connect tcp 443 to 0.0.0.0/0
    deny connect tcp to 10.0.0.0/8)"));
  const Lints l = lint(*c);
  // The carve-out (0.0.0.0/0 minus 10/8 and the metadata endpoints) is not reported at all.
  REQUIRE(l.all.size() == 1);
  CHECK(l.lines(diag::Code::AllowShadowedByDeny) == std::vector<unsigned>{5});
  const diag::Diagnostic& d = *l.all[0];
  REQUIRE(!d.notes.empty());
  CHECK(d.notes[0].message.find("`deny connect tcp to 10.0.0.0/8` refuses it, e.g. connect tcp 443 to 10.") == 0);
  CHECK(l.line(d.notes[0].range) == 7);
}

TEST_CASE("net checks: carve-outs and metadata openings are not reported") {
  auto c = compiled(network(R"(
    connect tcp 443 to 0.0.0.0/0, ::/0
    connect tcp 80 to 169.254.169.254
    connect tcp any to "*.example.org"
    proxy 127.0.0.1 port 3128
    deny to 10.0.0.0/8
    deny tcp to "bad.example.org")"));
  CHECK(lint(*c).all.empty());
}

TEST_CASE("net checks: the IPv4-mapped form of a metadata endpoint is the IPv4 endpoint, which stays denied") {
  auto c = compiled(network("    connect tcp 80 to ::ffff:169.254.169.254"));
  const Lints l = lint(*c);
  const auto f = l.of(diag::Code::AllowShadowedByDeny);
  REQUIRE(f.size() == 1);
  REQUIRE(!f[0]->notes.empty());
  CHECK(f[0]->notes[0].message == "the implicit cloud-metadata deny refuses it, e.g. connect tcp 80 to 169.254.169.254");
  CHECK(f[0]->help.find("IPv4-mapped") != std::string::npos);
}

TEST_CASE("net checks: mapped blocks are their IPv4 blocks") {
  auto c = compiled(network(R"(
    connect tcp 443 to ::ffff:10.0.0.0/104
    connect tcp 443 to 10.1.2.3
    connect tcp 22 to ::ffff:192.168.0.0/112
    deny connect tcp to 192.168.0.0/16)"));
  const Lints l = lint(*c);
  CHECK(l.lines(diag::Code::DeadRule) == std::vector<unsigned>{6});
  CHECK(l.lines(diag::Code::AllowShadowedByDeny) == std::vector<unsigned>{7});
}

TEST_CASE("net checks: an allow covered by other allows is W0009, with notes at them") {
  auto c = compiled(network(R"(
    connect tcp any
    connect tcp 443 to 10.0.0.1
    connect udp 53 to 127.0.0.53
    connect udp 53 to 127.0.0.53)"));
  const Lints l = lint(*c);
  const auto f = l.of(diag::Code::DeadRule);
  CHECK(l.lines(diag::Code::DeadRule) == std::vector<unsigned>{6, 8});  // the narrower rule, and the repeat
  REQUIRE(f.size() == 2);
  REQUIRE(!f[0]->notes.empty());
  CHECK(f[0]->notes[0].message == "`connect tcp any to any host` also allows it, e.g. connect tcp 443 to 10.0.0.1");
  CHECK(l.line(f[0]->notes[0].range) == 5);
  REQUIRE(!f[1]->notes.empty());
  CHECK(l.line(f[1]->notes[0].range) == 7);
}

TEST_CASE("net checks: covered partly by allows and partly by denies is W0009, not W0011") {
  auto c = compiled(network(R"(
    connect tcp 443 to 10.0.0.0/8
    connect tcp 443 to 10.1.0.0/16, 192.168.0.0/16
    deny connect tcp 443 to 192.168.0.0/16)"));
  const Lints l = lint(*c);
  CHECK(l.lines(diag::Code::DeadRule) == std::vector<unsigned>{6});
  CHECK(l.of(diag::Code::AllowShadowedByDeny).empty());
}

TEST_CASE("net checks: the proxy endpoint") {
  SUBCASE("an allow of the proxy endpoint is dead while a domain rule opens it") {
    auto c = compiled(network(R"(
      proxy 127.0.0.1 port 3128
      connect tcp 443 to "pypi.org"
      connect tcp 3128 to 127.0.0.1)"));
    const Lints l = lint(*c);
    REQUIRE(l.lines(diag::Code::DeadRule) == std::vector<unsigned>{7});
    const auto f = l.of(diag::Code::DeadRule);
    REQUIRE(!f[0]->notes.empty());
    CHECK(f[0]->notes[0].message.find("the proxy endpoint (proxy 127.0.0.1 port 3128) also allows it") == 0);
  }
  SUBCASE("the last domain rule keeps the proxy open, so it decides something") {
    auto c = compiled(network(R"(
      proxy 127.0.0.1 port 3128
      connect tcp 443
      connect tcp 443 to "pypi.org")"));
    CHECK(lint(*c).all.empty());
  }
  SUBCASE("of two domain rules, the covered one is dead") {
    auto c = compiled(network(R"(
      proxy 127.0.0.1 port 3128
      connect tcp 443 to "*.pythonhosted.org"
      connect tcp 443 to "files.pythonhosted.org")"));
    CHECK(lint(*c).lines(diag::Code::DeadRule) == std::vector<unsigned>{7});
  }
}

TEST_CASE("net checks: wildcards cover strict subdomains only") {
  auto c = compiled(network(R"(
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "*.example.org"
    connect tcp 443 to "example.org"
    connect tcp 443 to "www.example.org"
    connect tcp 443 to "*.a.example.org"
    connect tcp 443 to "pypi.org"
    connect tcp 443 to "www.pypi.org"
    deny tcp to "*.pypi.org")"));
  const Lints l = lint(*c);
  CHECK(l.lines(diag::Code::DeadRule) == std::vector<unsigned>{8, 9});
  CHECK(l.lines(diag::Code::AllowShadowedByDeny) == std::vector<unsigned>{11});
}

namespace {

ir::Host host(const std::string& text) {
  ir::Host h;
  if (text.front() == '"') {
    h.kind = ir::HostKind::Domain;
    std::string name = text.substr(1, text.size() - 2);
    h.wildcard = name.starts_with("*.");
    h.domain = h.wildcard ? name.substr(2) : name;
    return h;
  }
  const size_t slash = text.find('/');
  const std::string addr = text.substr(0, slash);
  if (inet_pton(AF_INET, addr.c_str(), h.addr.data()) == 1) {
    h.kind = ir::HostKind::V4;
  } else {
    REQUIRE(inet_pton(AF_INET6, addr.c_str(), h.addr.data()) == 1);
    h.kind = ir::HostKind::V6;
  }
  const unsigned full = h.kind == ir::HostKind::V4 ? 32 : 128;
  h.prefix = static_cast<uint8_t>(slash == std::string::npos ? full : std::stoul(text.substr(slash + 1)));
  return h;
}

// A random network section over a few nested blocks, names and port ranges, so that rules
// overlap, cover and shadow one another often. Rule i has the source range [10i, 10i+1).
ir::Policy random_policy(std::mt19937& rng, diag::FileId file) {
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  static const char* const addrs[] = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3", "::ffff:10.1.0.0/112",
                                      "0.0.0.0/0", "fd00::/8", "fd00::1", "127.0.0.1", "169.254.169.254"};
  static const char* const names[] = {"\"a.org\"", "\"*.org\"", "\"*.a.org\"", "\"b.a.org\"", "\"c.net\""};
  static const ir::PortRange ports[] = {{443, 443}, {80, 443}, {1, 1024}, {3128, 3128}, {8000, 8080}, {53, 53}};
  ir::Policy p;
  p.name = "random";
  p.network.present = true;
  if (pick(2)) p.network.proxy = ir::Proxy{host("127.0.0.1"), 3128, {}};
  auto origin = [&](size_t i) {
    ir::Origin o;
    o.range = {file, static_cast<uint32_t>(10 * i), static_cast<uint32_t>(10 * i + 1)};
    o.where = "t:" + std::to_string(i);
    return o;
  };
  const size_t denies = pick(4), allows = 3 + pick(6);
  for (size_t i = 0; i < denies + 1 + allows; ++i) {
    ir::NetRule r;
    r.origin = origin(i);
    if (i == denies) {  // the implicit metadata deny, with its mapped form
      r.deny = r.implicit = true;
      r.hosts = {host("169.254.169.254"), host("::ffff:169.254.169.254")};
      p.network.rules.push_back(r);
      continue;
    }
    r.deny = i < denies;
    r.direction = r.deny ? static_cast<ir::Direction>(pick(3)) : pick(5) == 0 ? ir::Direction::Bind : ir::Direction::Connect;
    r.proto = r.deny ? static_cast<ir::Proto>(pick(3)) : pick(3) == 0 ? ir::Proto::Udp : ir::Proto::Tcp;
    for (size_t n = pick(3); n > 0; --n) r.ports.push_back(ports[pick(6)]);
    if (!r.deny && r.ports.empty() && pick(2)) r.ports.push_back(ports[pick(6)]);
    std::sort(r.ports.begin(), r.ports.end());
    if (r.direction != ir::Direction::Bind && pick(4)) {
      const bool domains = r.proto == ir::Proto::Tcp && r.direction == ir::Direction::Connect;
      for (size_t n = 1 + pick(2); n > 0; --n) r.hosts.push_back(host(domains && pick(2) ? names[pick(5)] : addrs[pick(10)]));
    }
    p.network.rules.push_back(r);
  }
  return p;
}

ir::Policy without_rules(ir::Policy p, const std::set<uint32_t>& begins) {
  std::erase_if(p.network.rules, [&](const ir::NetRule& r) { return begins.count(r.origin.range.begin) > 0; });
  return p;
}

}  // namespace

TEST_CASE("net checks: removing the reported dead rules changes no decision, removing any other one does") {
  std::mt19937 rng(2024);
  diag::SourceManager sources;
  const diag::FileId file = sources.add("/virtual/random.sbx", std::string(200, ' '));
  size_t dead_total = 0, shadowed_total = 0;
  for (int round = 0; round < 25; ++round) {
    const ir::Policy p = random_policy(rng, file);
    diag::Engine engine(sources);
    CHECK(verify::check_network(p, engine).unknown == 0);
    std::set<uint32_t> dead, shadowed;
    for (const diag::Diagnostic& d : engine.diagnostics())
      (d.code == diag::Code::DeadRule ? dead : shadowed).insert(d.range.begin);
    INFO("round " << round);
    dead_total += dead.size();
    shadowed_total += shadowed.size();
    const ir::Policy q = without_rules(p, dead);
    CHECK(verify::diff_network(p, q).empty());
    for (const ir::NetRule& r : q.network.rules) {
      if (r.deny) continue;
      const auto d = verify::diff_network(q, without_rules(q, {r.origin.range.begin}));
      INFO("rule " << r.origin.where);
      if (!shadowed.count(r.origin.range.begin)) {
        CHECK(!d.empty());
        continue;
      }
      // A shadowed rule decides nothing of its own; only the proxy endpoint may close with it.
      for (const DiffEntry& e : d) CHECK(e.witness == "connect tcp 3128 to 127.0.0.1");
    }
  }
  MESSAGE(dead_total << " dead and " << shadowed_total << " shadowed rules in 25 random policies");
  CHECK(dead_total >= 5);
  CHECK(shadowed_total >= 3);
}

TEST_CASE("net checks: rules of modules are not reported, but cover the policy's") {
  auto c = compiled(network(R"(
    connect tcp 443 to 10.0.0.0/8
    connect tcp 443 to 10.1.0.0/16)"));
  ir::Policy p = *c->policy;
  for (ir::NetRule& r : p.network.rules)
    if (!r.deny && r.hosts.size() == 1 && r.hosts[0].prefix == 16) r.origin.module = "std.example";
  // The module's rule is covered by the policy's: not reported.
  verify::check_network(p, c->engine);
  CHECK(c->engine.warning_count() == 0);
  for (ir::NetRule& r : p.network.rules) r.origin.module = r.hosts.size() == 1 && r.hosts[0].prefix == 8 ? "std.example" : "";
  // The policy's rule covered by the module's: reported.
  verify::check_network(p, c->engine);
  CHECK(c->engine.warning_count() == 1);
}

TEST_CASE("net checks: binds") {
  auto c = compiled(network(R"(
    bind tcp 8000-8080
    bind tcp 8080
    deny to 10.0.0.0/8
    bind udp 5353
    deny bind udp)"));
  const Lints l = lint(*c);
  CHECK(l.lines(diag::Code::DeadRule) == std::vector<unsigned>{6});
  CHECK(l.lines(diag::Code::AllowShadowedByDeny) == std::vector<unsigned>{8});
}

// ---- assertions ----

TEST_CASE("net assertions: never and always, holding and failing") {
  auto c = compiled(network(R"(
    proxy 127.0.0.1 port 3128
    connect tcp 443 to 10.0.0.0/8, "pypi.org", "*.pythonhosted.org"
    connect udp 53 to 127.0.0.53
    bind tcp 8000-8080
    deny connect tcp 443 to 10.9.0.0/16)") + R"(
  assert never connect tcp 22 to 10.0.0.1
  assert never connect tcp 443 to 10.9.0.0/16
  assert always connect tcp 443 to 10.1.0.0/16
  assert always connect tcp 443 to "x.pythonhosted.org"
  assert never bind tcp 8080
  assert always connect tcp 443 to 10.0.0.0/8
  assert never connect tcp 443
  assert always bind tcp
  assert always connect tcp 443 to "pythonhosted.org"
  assert never connect tcp 3128 to 127.0.0.1
  assert never connect udp
  assert never connect tcp 443 to "*.pythonhosted.org")");
  const ir::Policy& p = *c->policy;
  REQUIRE(p.assertions.size() == 12);
  const std::vector<std::pair<bool, std::string>> expected = {
      {true, ""},
      {true, ""},
      {true, ""},
      {true, ""},
      {false, "bind tcp 8080"},
      {false, ""},
      {false, ""},
      {false, ""},
      {false, "connect tcp 443 to \"pythonhosted.org\""},
      {false, "connect tcp 3128 to 127.0.0.1"},
      {false, "connect udp 53 to 127.0.0.53"},
      {false, "connect tcp 443 to \"x.pythonhosted.org\""},
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("assertion " << i);
    const AssertionOutcome out = prove(p, i);
    CHECK(out.queries >= 1);
    if (expected[i].first) {
      CHECK(out.result == AssertionOutcome::Result::Holds);
      continue;
    }
    check_counterexample(p, p.assertions[i], out);
    if (!expected[i].second.empty()) CHECK(out.counterexample == expected[i].second);
  }
  const AssertionOutcome proxy = prove(p, 9);
  REQUIRE(proxy.deciding.size() == 1);
  CHECK(proxy.deciding[0].where.ends_with(":5"));
}

TEST_CASE("net assertions: a missing host means every destination, metadata included") {
  auto c = compiled(network("    connect tcp 80") + R"(
  assert never connect tcp 80 to 169.254.169.254
  assert always connect tcp 80
  assert never connect tcp 80 to ::ffff:169.254.169.254)");
  CHECK(prove(*c->policy, 0).result == AssertionOutcome::Result::Holds);
  const AssertionOutcome always = prove(*c->policy, 1);
  check_counterexample(*c->policy, c->policy->assertions[1], always);
  CHECK(always.decision == "denied");
  CHECK(always.deciding.size() == 1);  // the implicit deny
  CHECK(prove(*c->policy, 2).result == AssertionOutcome::Result::Holds);
}

TEST_CASE("net assertions: a policy without a network section allows everything but the metadata endpoints") {
  auto c = compiled(R"(
  assert never connect tcp 443 to 168.63.129.16
  assert always connect udp
  assert always connect udp 53 to 10.0.0.1)");
  CHECK(prove(*c->policy, 0).result == AssertionOutcome::Result::Holds);
  const AssertionOutcome udp = prove(*c->policy, 1);
  check_counterexample(*c->policy, c->policy->assertions[1], udp);
  CHECK(prove(*c->policy, 2).result == AssertionOutcome::Result::Holds);
}

TEST_CASE("net assertions: the examples' network assertions hold") {
  for (const std::string& name : example_names()) {
    const ir::Policy p = example(name);
    for (const ir::Assertion& a : p.assertions) {
      if (a.query.kind != ir::QueryKind::Net) continue;
      INFO(name << " " << a.origin.where);
      CHECK(verify::prove_net(p, a).result == AssertionOutcome::Result::Holds);
    }
  }
}

TEST_CASE("net assertions: proofs agree with the reference on every region of random queries") {
  auto c = compiled(network(R"(
    proxy 10.200.0.1 port 3128
    connect tcp 443 to "pypi.org", "*.pythonhosted.org"
    connect tcp 443, 8000-8080 to ::ffff:10.0.0.0/104, fd00::/8
    connect udp 53 to 127.0.0.53
    bind tcp 3000-3009
    deny connect tcp 8001 to 10.1.0.0/16
    deny tcp to "files.pythonhosted.org"
    deny connect tcp 25)"));
  const ir::Policy& p = *c->policy;
  std::mt19937 rng(3);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  const char* const hosts[] = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.3", "::ffff:10.0.0.0/104", "fd00::/8", "fd00::1",
                               "127.0.0.53", "10.200.0.1", "169.254.169.254", "0.0.0.0/0"};
  const char* const names[] = {"pypi.org", "*.pythonhosted.org", "files.pythonhosted.org", "x.org", "*.org"};
  for (int i = 0; i < 300; ++i) {
    ir::Assertion a;
    a.never = pick(2);
    a.query.kind = ir::QueryKind::Net;
    ir::NetQuery& q = a.query.net;
    q.direction = pick(4) == 0 ? ir::Direction::Bind : ir::Direction::Connect;
    q.proto = pick(2) ? ir::Proto::Udp : ir::Proto::Tcp;
    const uint16_t ports[] = {25, 53, 443, 3000, 3128, 8000, 8001};
    if (pick(3)) {
      const uint16_t lo = ports[pick(7)];
      q.port = ir::PortRange{lo, static_cast<uint16_t>(pick(2) ? lo : std::min(65535, lo + int(pick(9000))))};
    }
    if (q.direction == ir::Direction::Connect && pick(3)) {
      ir::Host h;
      if (pick(3)) {
        const std::string text = hosts[pick(10)];
        const size_t slash = text.find('/');
        const std::string addr = text.substr(0, slash);
        if (inet_pton(AF_INET, addr.c_str(), h.addr.data()) == 1) h.kind = ir::HostKind::V4;
        else {
          inet_pton(AF_INET6, addr.c_str(), h.addr.data());
          h.kind = ir::HostKind::V6;
        }
        const unsigned full = h.kind == ir::HostKind::V4 ? 32 : 128;
        h.prefix = static_cast<uint8_t>(slash == std::string::npos ? full : std::stoul(text.substr(slash + 1)));
      } else {
        const std::string name = names[pick(5)];
        h.kind = ir::HostKind::Domain;
        h.wildcard = name.starts_with("*.");
        h.domain = h.wildcard ? name.substr(2) : name;
      }
      q.host = h;
    }
    // The reference: one request per region of the query decides the whole query.
    bool reference = true;
    for (const ir::NetRequest& r : ir::representative_requests(p.network, q))
      if (ir::decide_net(p.network, r).allowed == a.never) reference = false;
    const AssertionOutcome out = verify::prove_net(p, a);
    INFO("query " << i << " never=" << a.never);
    CHECK((out.result == AssertionOutcome::Result::Holds) == reference);
    if (out.result == AssertionOutcome::Result::Fails) check_counterexample(p, a, out);
  }
}

// ---- diff ----

TEST_CASE("net diff: identical policies have no differences") {
  for (const std::string& name : example_names()) {
    const ir::Policy p = example(name);
    CHECK(verify::diff_network(p, p).empty());
  }
}

TEST_CASE("net diff: widened and narrowed ports") {
  auto old_c = compiled(network("    connect tcp 443"));
  auto new_c = compiled(network("    connect tcp 443, 8000-8080"));
  const auto widened = verify::diff_network(*old_c->policy, *new_c->policy);
  REQUIRE(widened.size() == 1);
  CHECK(widened[0].widened);
  CHECK(widened[0].region == "connect tcp 8000-8080 to any host");
  CHECK(widened[0].old_decision == "denied");
  CHECK(widened[0].new_decision == "allowed");
  REQUIRE(widened[0].new_rules.size() == 1);
  CHECK(widened[0].new_rules[0].where.ends_with(":4"));
  CHECK(widened[0].old_rules.empty());
  check_witnesses(*old_c->policy, *new_c->policy, widened);

  const auto narrowed = verify::diff_network(*new_c->policy, *old_c->policy);
  REQUIRE(narrowed.size() == 1);
  CHECK(!narrowed[0].widened);
  CHECK(narrowed[0].region == "connect tcp 8000-8080 to any host");
  check_witnesses(*new_c->policy, *old_c->policy, narrowed);
}

TEST_CASE("net diff: a wider rule is described without what the old policy already allowed") {
  auto old_c = compiled(network("    connect tcp 443"));
  auto new_c = compiled(network("    connect tcp any"));
  const auto d = verify::diff_network(*old_c->policy, *new_c->policy);
  REQUIRE(d.size() == 1);
  CHECK(d[0].region == "connect tcp 1-442, 444-65535 to any host");
  check_witnesses(*old_c->policy, *new_c->policy, d);
}

TEST_CASE("net diff: removing a deny widens exactly its region") {
  auto old_c = compiled(network("    connect tcp any\n    deny connect tcp 25\n    deny to 10.0.0.0/8"));
  auto new_c = compiled(network("    connect tcp any\n    deny to 10.0.0.0/8"));
  const auto d = verify::diff_network(*old_c->policy, *new_c->policy);
  REQUIRE(d.size() == 1);
  CHECK(d[0].widened);
  // 10/8 stays denied on both sides: a common carve-out, so the region is not "partly".
  CHECK(d[0].region == "connect tcp 25 to any host");
  REQUIRE(d[0].old_rules.size() == 1);
  CHECK(d[0].old_rules[0].where.ends_with(":5"));
  check_witnesses(*old_c->policy, *new_c->policy, d);
}

TEST_CASE("net diff: addresses, domains, binds and both directions at once") {
  auto old_c = compiled(network(R"(
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "pypi.org", 10.20.0.0/16
    bind tcp 8000-8080)"));
  auto new_c = compiled(network(R"(
    proxy 127.0.0.1 port 3128
    connect tcp 443 to "pypi.org", "*.pythonhosted.org", 10.20.0.0/16, 192.168.1.0/24
    bind tcp 8000-8079)"));
  const auto d = verify::diff_network(*old_c->policy, *new_c->policy);
  check_witnesses(*old_c->policy, *new_c->policy, d);
  std::vector<std::string> regions;
  for (const DiffEntry& e : d) regions.push_back((e.widened ? "+ " : "- ") + e.region);
  CHECK(regions == std::vector<std::string>{"+ connect tcp 443 to 192.168.1.0/24",
                                            "+ connect tcp 443 to \"*.pythonhosted.org\"", "- bind tcp 8080"});
  CHECK(side(d, true)[1]->witness == "connect tcp 443 to \"x.pythonhosted.org\"");
}

TEST_CASE("net diff: the proxy endpoint opens with the first domain rule") {
  auto old_c = compiled(network("    proxy 127.0.0.1 port 3128\n    connect tcp 443 to 10.0.0.1"));
  auto new_c = compiled(network("    proxy 127.0.0.1 port 3128\n    connect tcp 443 to 10.0.0.1, \"pypi.org\""));
  const auto d = verify::diff_network(*old_c->policy, *new_c->policy);
  check_witnesses(*old_c->policy, *new_c->policy, d);
  std::vector<std::string> regions;
  for (const DiffEntry& e : d) regions.push_back(e.region);
  CHECK(regions == std::vector<std::string>{"connect tcp 443 to \"pypi.org\"", "connect tcp 3128 to 127.0.0.1"});
}

TEST_CASE("net diff: many regions are capped, and the rest counted") {
  std::string old_rules = "    connect udp 53 to 127.0.0.53", new_rules = old_rules;
  for (int i = 0; i < 30; ++i) new_rules += "\n    connect tcp " + std::to_string(1000 + i) + " to 10.0." + std::to_string(i) + ".0/24";
  auto old_c = compiled(network(old_rules));
  auto new_c = compiled(network(new_rules));
  const auto d = verify::diff_network(*old_c->policy, *new_c->policy);
  REQUIRE(d.size() == verify::kShownRegions + 1);
  CHECK(d.front().region == "connect tcp 1000 to 10.0.0.0/24");
  CHECK(d.back().region == "and 10 more regions");
  CHECK(d.back().witness.empty());
  check_witnesses(*old_c->policy, *new_c->policy, d);
  // Beyond what is counted, the count is a lower bound.
  std::string many = old_rules;
  for (int i = 0; i < 110; ++i) many += "\n    connect tcp " + std::to_string(1000 + i) + " to 10.1." + std::to_string(i) + ".0/24";
  auto many_c = compiled(network(many));
  const auto capped = verify::diff_network(*old_c->policy, *many_c->policy);
  REQUIRE(capped.size() == verify::kShownRegions + 1);
  CHECK(capped.back().region == "and at least 81 more regions");
  // Deterministic.
  const auto again = verify::diff_network(*old_c->policy, *new_c->policy);
  REQUIRE(again.size() == d.size());
  for (size_t i = 0; i < d.size(); ++i) CHECK(again[i].witness == d[i].witness);
}

TEST_CASE("net diff: adding a network section narrows everything it does not allow") {
  auto old_c = compiled("");
  auto new_c = compiled(network("    connect tcp 443 to 10.0.0.0/8"));
  const auto d = verify::diff_network(*old_c->policy, *new_c->policy);
  REQUIRE(!d.empty());
  check_witnesses(*old_c->policy, *new_c->policy, d);
  for (const DiffEntry& e : d) CHECK(!e.widened);
}

TEST_CASE("net diff: random pairs of policies, witnesses checked against the reference") {
  std::mt19937 rng(99);
  diag::SourceManager sources;
  const diag::FileId file = sources.add("/virtual/random.sbx", std::string(200, ' '));
  for (int round = 0; round < 20; ++round) {
    const ir::Policy a = random_policy(rng, file), b = random_policy(rng, file);
    INFO("round " << round);
    const auto d = verify::diff_network(a, b);
    check_witnesses(a, b, d);
    // Every difference a random request finds has a region on its side.
    const verify::DomainUniverse u = universe_of(a);
    RequestGen gen(a, u, static_cast<unsigned>(round));
    for (int i = 0; i < 300; ++i) {
      const ir::NetRequest r = gen.next();
      const bool before = ir::decide_net(a.network, r).allowed, after = ir::decide_net(b.network, r).allowed;
      if (before == after) continue;
      INFO(ir::request_text(r));
      CHECK(!side(d, after).empty());
    }
    for (const DiffEntry& e : d) CHECK(e.region.find("Z3") == std::string::npos);
  }
}

// ---- size ----

TEST_CASE("net checks: a policy with about 1,000 network rules checks in reasonable time") {
  std::string rules = "    proxy 127.0.0.1 port 3128\n";
  for (int i = 0; i < 400; ++i)
    rules += "    connect tcp " + std::to_string(1000 + i % 50) + " to 10." + std::to_string(i / 200) + "." +
             std::to_string(i % 200) + ".0/24\n";
  for (int i = 0; i < 300; ++i) rules += "    connect tcp 443 to \"h" + std::to_string(i) + ".example.org\"\n";
  for (int i = 0; i < 200; ++i) rules += "    connect udp " + std::to_string(2000 + i) + " to fd00:" + std::to_string(i) + "::/32\n";
  for (int i = 0; i < 90; ++i) rules += "    deny connect tcp " + std::to_string(1000 + i) + " to 10.0." + std::to_string(i) + ".0/24\n";
  rules += "    connect tcp 443 to \"*.example.org\"\n";
  rules += "    connect tcp 1000-1049 to 10.0.0.0/8\n";
  auto c = compiled(network(rules));
  REQUIRE(c->policy->network.rules.size() > 990);
  const auto start = std::chrono::steady_clock::now();
  const size_t before = c->engine.diagnostics().size();
  const verify::Work work = verify::check_network(*c->policy, c->engine);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("check_network on " << c->policy->network.rules.size() << " rules: " << seconds << " s, " << work.queries
                              << " queries");
  CHECK(work.unknown == 0);
  size_t dead = 0, shadowed = 0;
  for (size_t i = before; i < c->engine.diagnostics().size(); ++i) {
    dead += c->engine.diagnostics()[i].code == diag::Code::DeadRule;
    shadowed += c->engine.diagnostics()[i].code == diag::Code::AllowShadowedByDeny;
  }
  // The 300 exact names lie under the wildcard, the 400 blocks (minus the shadowed) under 10/8.
  CHECK(dead == 300 + 400 - shadowed);
  CHECK(shadowed > 0);
  CHECK(seconds < 60);

  const auto diff_start = std::chrono::steady_clock::now();
  auto smaller = *c->policy;
  smaller.network.rules.pop_back();
  const auto d = verify::diff_network(*c->policy, smaller);
  const double diff_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - diff_start).count();
  MESSAGE("diff_network on " << c->policy->network.rules.size() << " rules: " << diff_seconds << " s, " << d.size()
                             << " entries");
  CHECK(!d.empty());
  check_witnesses(*c->policy, smaller, d);
}
