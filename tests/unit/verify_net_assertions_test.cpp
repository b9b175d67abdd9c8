// Unit tests of the proofs of network assertions.
#include "tests/unit/verify_net_support.h"

using namespace verify_net_support;

// ---- assertions ----

TEST_CASE("net assertions: never and always, holding and failing") {
  auto c = compiled(network(R"(
    proxy 127.0.0.1 port 3128
    connect tcp 443 to 10.0.0.0/8, "pypi.org", "*.pythonhosted.org"
    connect udp 53 to 127.0.0.53
    bind tcp 8000-8080
    deny connect tcp 443 to 10.9.0.0/16)") +
                    R"(
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
  const char* const hosts[] = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.3",   "::ffff:10.0.0.0/104", "fd00::/8",
                               "fd00::1",    "127.0.0.53",  "10.200.0.1", "169.254.169.254",     "0.0.0.0/0"};
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
