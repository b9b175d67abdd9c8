// Unit tests: the Query layer (verify/solver.h): questions the rewriter settles never reach the
// solver, shared Queries answer a repeated question with the first answer and witness, and a
// Query of its own keeps asking its own solver.
#include <doctest/doctest.h>

#include <optional>

#include "compiler/verify/solver.h"

namespace polc {
namespace {

// Restores the default step limit however a test ends.
struct StepLimit {
  explicit StepLimit(unsigned steps) { verify::set_query_rlimit(steps); }
  ~StepLimit() { verify::set_query_rlimit(0); }
};

TEST_CASE("a question the rewriter reduces to false is unsatisfiable without the solver") {
  z3::context& ctx = verify::shared_context();
  verify::forget_answers();
  const StepLimit one_step(1);  // too few for the solver to answer anything
  verify::Query query(ctx, verify::QueryScope::Own);
  const z3::expr x = ctx.bv_const("x", 64);
  CHECK(query.check(x == ctx.bv_val(3, 64) && x != ctx.bv_val(3, 64)) == verify::Answer::Unsat);
  // One the rewriter leaves to the solver runs out of steps: the limit is real.
  const z3::expr y = ctx.bv_const("y", 64);
  CHECK(query.check((x * y) == ctx.bv_val(77, 64) && z3::ugt(x, ctx.bv_val(1, 64)) && z3::ugt(y, ctx.bv_val(1, 64))) ==
        verify::Answer::Unknown);
  CHECK(query.checks() == 2);
  verify::forget_answers();
}

TEST_CASE("shared Queries answer a repeated question with the first witness") {
  z3::context& ctx = verify::shared_context();
  verify::forget_answers();
  const z3::expr x = ctx.bv_const("x", 64);
  const z3::expr formula = (x & ctx.bv_val(0xff, 64)) == ctx.bv_val(0x2a, 64);
  verify::Query first(ctx);
  REQUIRE(first.check(formula) == verify::Answer::Sat);
  const uint64_t witness = first.value(x);
  CHECK((witness & 0xff) == 0x2a);
  {
    // Under a limit no real solve fits in, the answer can only come from the book.
    const StepLimit one_step(1);
    verify::Query second(ctx);
    REQUIRE(second.check(formula) == verify::Answer::Sat);
    CHECK(second.value(x) == witness);
    CHECK(second.checks() == 1);
  }
  // An Own Query does not read the book: the same question under the same limit is its own.
  {
    const StepLimit one_step(1);
    verify::Query own(ctx, verify::QueryScope::Own);
    CHECK(own.check(formula) != verify::Answer::Sat);
  }
  // forget_answers() empties the book: the question is asked afresh.
  verify::forget_answers();
  {
    const StepLimit one_step(1);
    verify::Query again(ctx);
    CHECK(again.check(formula) != verify::Answer::Sat);
  }
  verify::forget_answers();
}

TEST_CASE("a shared Query asks under the step limit it was made with") {
  z3::context& ctx = verify::shared_context();
  verify::forget_answers();
  verify::Query generous(ctx);  // the default limit
  std::optional<verify::Query> starved;
  {
    const StepLimit one_step(1);
    starved.emplace(ctx);
  }
  const z3::expr x = ctx.bv_const("limit_x", 64), y = ctx.bv_const("limit_y", 64);
  const auto factors = [&](uint64_t n) {
    return (x * y) == ctx.bv_val(n, 64) && z3::ugt(x, ctx.bv_val(1, 64)) && z3::ugt(y, ctx.bv_val(1, 64)) &&
           z3::ult(x, ctx.bv_val(1000, 64)) && z3::ult(y, ctx.bv_val(1000, 64));
  };
  CHECK(starved->check(factors(77)) == verify::Answer::Unknown);
  // The same solver, right after a question under one step: this one gets the default limit.
  CHECK(generous.check(factors(91)) == verify::Answer::Sat);
  CHECK(starved->check(factors(143)) == verify::Answer::Unknown);
  verify::forget_answers();
}

}  // namespace
}  // namespace polc
