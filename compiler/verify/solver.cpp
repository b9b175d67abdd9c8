// Stage: verify. Z3 queries under a deterministic budget (see solver.h).
#include "compiler/verify/solver.h"

#include <thread>

namespace polc::verify {

namespace {
unsigned query_rlimit = kDefaultQueryRlimit;
}  // namespace

void set_query_rlimit(unsigned steps) { query_rlimit = steps == 0 ? kDefaultQueryRlimit : steps; }

Query::Query(z3::context& ctx, const char* logic) : solver_(logic ? z3::solver(ctx, logic) : z3::solver(ctx)) {
  z3::params p(ctx);
  p.set("rlimit", query_rlimit);
  solver_.set(p);
}

Answer Query::check(const z3::expr& formula) {
  ++checks_;
  model_.reset();
  solver_.push();
  solver_.add(formula);
  const z3::check_result r = solver_.check();
  Answer answer = Answer::Unknown;
  if (r == z3::sat) {
    answer = Answer::Sat;
    model_.emplace(solver_.get_model());
  } else if (r == z3::unsat) {
    answer = Answer::Unsat;
  }
  solver_.pop();
  return answer;
}

uint64_t Query::value(const z3::expr& term) const {
  const z3::expr v = model_->eval(term, /*model_completion=*/true);
  if (v.is_bool()) return v.is_true() ? 1 : 0;
  uint64_t out = 0;
  if (v.is_numeral_u64(out)) return out;
  // Wider than 64 bits (IPv6 addresses): callers extract 64-bit halves instead.
  return 0;
}

std::string Query::string_value(const z3::expr& term) const {
  const z3::expr v = model_->eval(term, /*model_completion=*/true);
  return v.is_string_value() ? v.get_string() : std::string();
}

namespace {
// The context once made, and the thread making it ahead of time. Neither is ever destroyed:
// tearing down a context that holds a large policy's terms took longer than checking it (40% of
// a 400-rule check went to ~context at exit), and the process ends anyway. Only the main thread
// touches these; joining the preparing thread orders its write of `made` before every read.
z3::context* made = nullptr;
std::thread* preparing = nullptr;
}  // namespace

void prepare_shared_context() {
  if (made != nullptr || preparing != nullptr) return;
  preparing = new std::thread([] { made = new z3::context; });
}

void settle_shared_context() {
  if (preparing == nullptr) return;
  preparing->join();
  delete preparing;
  preparing = nullptr;
}

z3::context& shared_context() {
  settle_shared_context();
  if (made == nullptr) made = new z3::context;
  return *made;
}

std::string solver_version() {
  unsigned major = 0, minor = 0, build = 0, revision = 0;
  Z3_get_version(&major, &minor, &build, &revision);
  return "z3 " + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build);
}

}  // namespace polc::verify
