// Unit tests of `polc diff`'s network regions.
#include "tests/unit/verify_net_support.h"

using namespace verify_net_support;

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
  for (int i = 0; i < 30; ++i)
    new_rules += "\n    connect tcp " + std::to_string(1000 + i) + " to 10.0." + std::to_string(i) + ".0/24";
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
  for (int i = 0; i < 110; ++i)
    many += "\n    connect tcp " + std::to_string(1000 + i) + " to 10.1." + std::to_string(i) + ".0/24";
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
