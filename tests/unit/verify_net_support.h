// Shared by the network verifier tests (verify_net_*_test.cpp): compiling in-memory policies, the
// reference semantics and the Z3 formula as oracles, request generators, and the checks of
// counterexamples and diff witnesses against the reference.
#pragma once

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

namespace verify_net_support {

inline std::unique_ptr<test::Compiled> compiled(const std::string& body) {
  auto c = test::compile(test::policy_with(body));
  if (!c->policy) {
    std::string all;
    for (const auto& d : c->engine.diagnostics()) all += d.message + "\n";
    FAIL("the policy did not compile:\n" << body << "\n" << all);
  }
  return c;
}

inline std::string network(const std::string& rules) { return "  network {\n" + rules + "\n  }"; }

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

inline Lints lint(test::Compiled& c) {
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

inline ir::IpAddress ip(const std::string& text) {
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

inline verify::Addr128 to_addr128(const ir::IpAddress& a) {
  verify::Addr128 out;
  for (int i = 0; i < 8; ++i) {
    out.hi = out.hi << 8 | a[i];
    out.lo = out.lo << 8 | a[8 + i];
  }
  return out;
}

inline verify::NetRequest to_verify(const ir::NetRequest& r) {
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
inline ir::NetRequest parse_request(const std::string& text) {
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
      : net_(verify::read_network(policy)),
        universe_(universe),
        ctx_(verify::shared_context()),
        query_(ctx_),
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

inline verify::DomainUniverse universe_of(const ir::Policy& p) {
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
    if (pick(2))
      r.addr = ip(std::to_string(pick(256)) + "." + std::to_string(pick(256)) + ".0." + std::to_string(pick(256)));
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
inline void cross_check(const ir::Policy& policy, unsigned seed, int n) {
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

inline ir::Policy example(const std::string& name) {
  diag::SourceManager sources;
  diag::Engine engine(sources);
  const std::string path = std::string(POLC_SOURCE_DIR) + "/examples/" + name;
  auto text = sema::read_source(engine, path, {});
  REQUIRE(text);
  auto policy = sema::analyze(engine, *text, path, {});
  REQUIRE(policy);
  return *policy;
}

inline std::vector<std::string> example_names() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/examples"))
    if (e.path().extension() == ".sbx") out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

inline AssertionOutcome prove(const ir::Policy& p, size_t index = 0) {
  REQUIRE(p.assertions.size() > index);
  return verify::prove_net(p, p.assertions[index]);
}

// A failing assertion's counterexample lies in the query and is decided as the outcome says.
inline void check_counterexample(const ir::Policy& p, const ir::Assertion& a, const AssertionOutcome& out) {
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

inline std::vector<const DiffEntry*> side(const std::vector<DiffEntry>& entries, bool widened) {
  std::vector<const DiffEntry*> out;
  for (const DiffEntry& e : entries)
    if (e.widened == widened) out.push_back(&e);
  return out;
}

inline void check_witnesses(const ir::Policy& old_p, const ir::Policy& new_p, const std::vector<DiffEntry>& entries) {
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

// ---- random policies (dead-rule and diff properties) ----

inline ir::Host host(const std::string& text) {
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
inline ir::Policy random_policy(std::mt19937& rng, diag::FileId file) {
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  static const char* const addrs[] = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3",  "::ffff:10.1.0.0/112",
                                      "0.0.0.0/0",  "fd00::/8",    "fd00::1",     "127.0.0.1", "169.254.169.254"};
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
    r.direction = r.deny         ? static_cast<ir::Direction>(pick(3))
                  : pick(5) == 0 ? ir::Direction::Bind
                                 : ir::Direction::Connect;
    r.proto = r.deny ? static_cast<ir::Proto>(pick(3)) : pick(3) == 0 ? ir::Proto::Udp : ir::Proto::Tcp;
    for (size_t n = pick(3); n > 0; --n) r.ports.push_back(ports[pick(6)]);
    if (!r.deny && r.ports.empty() && pick(2)) r.ports.push_back(ports[pick(6)]);
    std::sort(r.ports.begin(), r.ports.end());
    if (r.direction != ir::Direction::Bind && pick(4)) {
      const bool domains = r.proto == ir::Proto::Tcp && r.direction == ir::Direction::Connect;
      for (size_t n = 1 + pick(2); n > 0; --n)
        r.hosts.push_back(host(domains && pick(2) ? names[pick(5)] : addrs[pick(10)]));
    }
    p.network.rules.push_back(r);
  }
  return p;
}

inline ir::Policy without_rules(ir::Policy p, const std::set<uint32_t>& begins) {
  std::erase_if(p.network.rules, [&](const ir::NetRule& r) { return begins.count(r.origin.range.begin) > 0; });
  return p;
}

}  // namespace verify_net_support
