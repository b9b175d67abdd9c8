// Unit tests of the network lints W0011 (allow shadowed by deny) and W0009 (dead allow).
#include "tests/unit/verify_net_support.h"

using namespace verify_net_support;

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
  CHECK(f[0]->notes[0].message ==
        "the implicit cloud-metadata deny refuses it, e.g. connect tcp 80 to 169.254.169.254");
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
  for (ir::NetRule& r : p.network.rules)
    r.origin.module = r.hosts.size() == 1 && r.hosts[0].prefix == 8 ? "std.example" : "";
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
