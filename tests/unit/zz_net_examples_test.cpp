#include <doctest/doctest.h>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include "compiler/diag/render.h"
#include "compiler/sema/analyze.h"
#include "compiler/verify/net_assertions.h"
#include "compiler/verify/net_checks.h"
#include "compiler/verify/net_diff.h"
using namespace polc;
TEST_CASE("zz net examples") {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/examples"))
    if (e.path().extension() == ".sbx") names.push_back(e.path().string());
  std::sort(names.begin(), names.end());
  std::vector<ir::Policy> policies;
  for (const auto& path : names) {
    diag::SourceManager sources;
    diag::Engine engine(sources);
    auto fid = sema::read_source(engine, path, {});
    auto p = sema::analyze(engine, *fid, path, {});
    REQUIRE(p);
    diag::Engine fresh(sources);
    auto w = verify::check_network(*p, fresh);
    std::cout << "=== " << path << ": " << p->network.rules.size() << " rules, " << w.queries << " queries, " << fresh.diagnostics().size() << " reports\n" << diag::render_human(fresh);
    for (const auto& a : p->assertions)
      if (a.query.kind == ir::QueryKind::Net) {
        auto o = verify::prove_net(*p, a);
        std::cout << "  assert " << a.origin.where << ": " << (o.result == verify::AssertionOutcome::Result::Holds ? "holds" : "FAILS " + o.counterexample) << "\n";
      }
    policies.push_back(*p);
  }
  for (size_t i = 0; i + 1 < policies.size(); ++i) {
    std::cout << "=== diff " << policies[i].name << " -> " << policies[i + 1].name << "\n";
    for (const auto& e : verify::diff_network(policies[i], policies[i + 1])) {
      std::cout << (e.widened ? "  + " : "  - ") << e.region << "   e.g. " << e.witness << " (old " << e.old_decision << ", new " << e.new_decision << ";";
      for (auto& o : e.old_rules) std::cout << " old:" << o.where;
      for (auto& o : e.new_rules) std::cout << " new:" << o.where;
      std::cout << ")\n";
    }
  }
}
