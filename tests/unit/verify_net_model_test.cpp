// Unit tests of the network verifier's Z3 encoding against the reference semantics, and its scale.
#include "tests/unit/verify_net_support.h"

using namespace verify_net_support;

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
  CHECK(u.representative("pypi.org") == "unlisted.invalid");  // "example" is a known name
  ir::Host wildcard;
  wildcard.kind = ir::HostKind::Domain;
  wildcard.domain = "example.org";
  wildcard.wildcard = true;
  const auto [first, last] = u.range(wildcard);
  REQUIRE(first <= last);
  for (size_t i = 0; i < u.size(); ++i) CHECK(((first <= i && i <= last) == ir::domain_matches(wildcard, u.name(i))));
}

// ---- size ----

TEST_CASE("net checks: a policy with about 1,000 network rules checks in reasonable time") {
  std::string rules = "    proxy 127.0.0.1 port 3128\n";
  for (int i = 0; i < 400; ++i)
    rules += "    connect tcp " + std::to_string(1000 + i % 50) + " to 10." + std::to_string(i / 200) + "." +
             std::to_string(i % 200) + ".0/24\n";
  for (int i = 0; i < 300; ++i) rules += "    connect tcp 443 to \"h" + std::to_string(i) + ".example.org\"\n";
  for (int i = 0; i < 200; ++i)
    rules += "    connect udp " + std::to_string(2000 + i) + " to fd00:" + std::to_string(i) + "::/32\n";
  for (int i = 0; i < 90; ++i)
    rules += "    deny connect tcp " + std::to_string(1000 + i) + " to 10.0." + std::to_string(i) + ".0/24\n";
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
