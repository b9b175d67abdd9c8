// Unit tests of the syscall lints' solver-free pre-checks (syscall_shapes.h): every fact they
// state agrees with Z3 on random conditions, and on argument-heavy policies the lints ask the
// solver only about rules that can meet, while reporting what comparing every pair reports.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <string>

#include "compiler/verify/solver.h"
#include "compiler/verify/syscall_checks.h"
#include "compiler/verify/syscall_model.h"
#include "compiler/verify/syscall_shapes.h"
#include "tests/unit/test_support.h"

namespace polc {
namespace {

// Random conditions over two arguments at both widths, with every operator and constants near
// each other (so that sets meet, touch and miss), some above 32 bits.
std::vector<ir::Clause> random_when(std::mt19937_64& rng) {
  static constexpr ir::CmpOp kOps[] = {ir::CmpOp::Eq, ir::CmpOp::Ne, ir::CmpOp::Lt,       ir::CmpOp::Le,
                                       ir::CmpOp::Gt, ir::CmpOp::Ge, ir::CmpOp::MaskedEq, ir::CmpOp::MaskedNe};
  auto value = [&]() -> uint64_t {
    switch (rng() % 4) {
      case 0: return rng() % 8;
      case 1: return 0xfffffff8 + rng() % 8;
      case 2: return (uint64_t{1} << 32) + rng() % 4;
      default: return ~uint64_t{0} - rng() % 4;
    }
  };
  std::vector<ir::Clause> when(1 + rng() % 2);
  for (ir::Clause& clause : when) {
    const size_t n = rng() % 4;
    for (size_t k = 0; k < n; ++k) {
      ir::ArgCmp c;
      c.arg = static_cast<uint8_t>(rng() % 2);
      c.width = rng() % 3 == 0 ? 32 : 64;
      c.op = kOps[rng() % (rng() % 4 == 0 ? 8 : 6)];
      c.value = value();
      c.mask = value() | 1;
      if (c.op == ir::CmpOp::MaskedEq || c.op == ir::CmpOp::MaskedNe) c.value &= c.mask;
      clause.push_back(c);
    }
  }
  return when;
}

TEST_CASE("syscall shapes: satisfiable, empty and disjoint agree with Z3") {
  z3::context& ctx = verify::shared_context();
  verify::Query query(ctx);
  const verify::ArgVars args = verify::make_args(ctx);
  std::mt19937_64 rng(20261206);
  size_t proved_sat = 0, proved_empty = 0, proved_disjoint = 0;
  for (int round = 0; round < 600; ++round) {
    const auto a = random_when(rng), b = random_when(rng);
    const verify::RuleShape sa = verify::shape_of(a), sb = verify::shape_of(b);
    const verify::Answer alone = query.check(verify::holds(a, args));
    CHECK(!(sa.satisfiable && sa.empty));
    if (sa.satisfiable) {
      CHECK(alone == verify::Answer::Sat);
      ++proved_sat;
    }
    if (sa.empty) {
      CHECK(alone == verify::Answer::Unsat);
      ++proved_empty;
    }
    if (verify::disjoint(sa, sb)) {
      CHECK(query.check(verify::holds(a, args) && verify::holds(b, args)) == verify::Answer::Unsat);
      ++proved_disjoint;
    }
  }
  // The facts are not vacuous: each kind is proved often.
  CHECK(proved_sat > 100);
  CHECK(proved_empty > 10);
  CHECK(proved_disjoint > 25);
}

TEST_CASE("syscall shapes: the index leaves out only rules proved disjoint") {
  std::mt19937_64 rng(7);
  std::vector<verify::RuleShape> shapes;
  for (int i = 0; i < 300; ++i) shapes.push_back(verify::shape_of(random_when(rng)));
  const verify::OverlapIndex index(shapes);
  for (size_t i = 0; i < shapes.size(); ++i) {
    const std::vector<size_t> got = index.candidates(i);
    std::vector<size_t> want;
    for (size_t j = 0; j < shapes.size(); ++j)
      if (j != i && !verify::disjoint(shapes[i], shapes[j])) want.push_back(j);
    CHECK(got == want);
  }
}

// `n` rules on ioctl, each on its own request (the shape of a device allow-list).
std::string request_rules(int n, const std::string& extra = "") {
  std::string body = "  syscalls {\n    default allow\n";
  for (int i = 0; i < n; ++i)
    body += "    deny ioctl(request == " + std::to_string(0x5400 + i) + ", fd == " + std::to_string(i % 7) +
            ") errno(" + std::to_string(1 + i % 5) + ")\n";
  return test::policy_with(body + extra + "  }", "x86_64, aarch64");
}

TEST_CASE("syscall checks: rules on distinct values need no solver query") {
  auto c = test::compile(request_rules(400));
  REQUIRE(c->policy);
  const verify::Work work = verify::check_syscalls(*c->policy, c->engine);
  // Every rule is satisfiable and meets no other: nothing to ask (comparing every pair asked
  // hundreds of thousands of questions).
  CHECK(work.queries == 0);
  CHECK(c->engine.diagnostics().empty());
}

TEST_CASE("syscall checks: findings among many disjoint rules are those of comparing every pair") {
  // Line 1 is `policy`, 2 `targets`, 3 `syscalls {`, 4 `default`: generated rule i is on line
  // 5 + i, and the extra rules follow them (lines 305..308).
  auto c = test::compile(request_rules(300, R"(    deny ioctl(request == 0x5405, fd == 5) errno(EPERM)
    errno(EACCES) ioctl(request == 0x5406, fd < 8)
    kill ioctl(request == 0x5407)
    deny ioctl(request == 0x5408, fd == 99) errno(5)
)"));
  REQUIRE(c->policy);
  verify::check_syscalls(*c->policy, c->engine);
  std::map<diag::Code, std::vector<unsigned>> lines;
  for (const auto& d : c->engine.diagnostics())
    lines[d.code].push_back(c->sources.line_col(d.range.file, d.range.begin).line);
  // The generated rule of 0x5407 lies inside the kill rule (dead); the extra 0x5406 rule returns
  // EACCES where the generated one (fd == 6) returns errno 2 (W0010). The extra 0x5405 rule is
  // the generated one written again (one rule), the last one meets no other.
  CHECK(lines[diag::Code::DeadRule] == std::vector<unsigned>{12});
  CHECK(lines[diag::Code::ConflictingErrno] == std::vector<unsigned>{306});
  CHECK(lines[diag::Code::RuleMatchesNothing].empty());
  CHECK(lines[diag::Code::OverlappingRules].empty());
}

}  // namespace
}  // namespace polc
