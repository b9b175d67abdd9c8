// Stage: verify. Z3 queries under a deterministic budget (see solver.h).
#include "compiler/verify/solver.h"

#include <map>
#include <thread>
#include <unordered_map>

#include "compiler/diag/phase_trace.h"

namespace polc::verify {

namespace {
unsigned query_rlimit = kDefaultQueryRlimit;
}  // namespace

void set_query_rlimit(unsigned steps) { query_rlimit = steps == 0 ? kDefaultQueryRlimit : steps; }

struct Query::Book {
  Book(z3::context& ctx, const char* logic) : solver(logic ? z3::solver(ctx, logic) : z3::solver(ctx)) {
    limit_to(query_rlimit);
  }
  void limit_to(unsigned steps) {
    z3::params p(solver.ctx());
    p.set("rlimit", steps);
    solver.set(p);
    rlimit = steps;
  }
  // The answer to a question asked before, and its witness after Sat.
  struct Answered {
    z3::expr formula;  // held so that its id is not given to another term
    Answer answer;
    std::optional<z3::model> model;
  };
  z3::solver solver;
  unsigned rlimit = 0;
  bool remembers = false;                           // shared books answer repeated questions
  std::unordered_map<unsigned, Answered> answered;  // by the formula's id
};

namespace {

// Bounds the answer book: its formulas stay alive, and a large policy asks tens of thousands
// of distinct questions that are never repeated.
constexpr size_t kMaxAnswered = 4096;

// The books of the shared context, by logic. Only the thread that holds the shared
// context uses them (its contract), so they need no lock.
std::map<std::string, std::shared_ptr<Query::Book>>& shared_books() {
  static auto* books = new std::map<std::string, std::shared_ptr<Query::Book>>;
  return *books;
}

bool is_shared(const z3::context& ctx);

}  // namespace

void forget_answers() { shared_books().clear(); }

Query::Query(z3::context& ctx, QueryScope scope, const char* logic) : rlimit_(query_rlimit) {
  if (scope == QueryScope::Own || !is_shared(ctx)) {
    book_ = std::make_shared<Book>(ctx, logic);
    return;
  }
  std::shared_ptr<Book>& book = shared_books()[logic ? logic : ""];
  if (!book) {
    book = std::make_shared<Book>(ctx, logic);
    book->remembers = true;
  }
  book_ = book;
}

Answer Query::check(const z3::expr& formula) {
  ++checks_;
  model_.reset();
  if (const auto known = book_->answered.find(formula.id()); known != book_->answered.end()) {
    model_ = known->second.model;
    return known->second.answer;
  }
  Answer answer = Answer::Unknown;
  // Z3's rewriter runs outside the step limit; it is linear in the formula, and every formula
  // polc asks is small (the limit bounds the search, which is not).
  if (formula.simplify().is_false()) {
    answer = Answer::Unsat;
  } else {
    z3::solver& solver = book_->solver;
    if (book_->rlimit != rlimit_) book_->limit_to(rlimit_);
    solver.push();
    try {
      solver.add(formula);
      const z3::check_result r = solver.check();
      if (r == z3::sat) {
        answer = Answer::Sat;
        model_.emplace(solver.get_model());
      } else if (r == z3::unsat) {
        answer = Answer::Unsat;
      }
    } catch (...) {
      // The formula must not stay asserted: every later question on this solver would be asked
      // together with it. The book is dropped too, so the next Query starts on a fresh one.
      try {
        solver.pop();
      } catch (...) {}
      book_->answered.clear();
      for (auto it = shared_books().begin(); it != shared_books().end(); ++it)
        if (it->second == book_) {
          shared_books().erase(it);
          break;
        }
      throw;
    }
    solver.pop();
  }
  // Sat and Unsat hold under any limit; Unknown is only this limit's.
  if (!book_->remembers || answer == Answer::Unknown) return answer;
  if (book_->answered.size() >= kMaxAnswered) book_->answered.clear();
  book_->answered.emplace(formula.id(), Book::Answered{formula, answer, model_});
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

bool is_shared(const z3::context& ctx) { return &ctx == made; }
}  // namespace

void prepare_shared_context() {
  if (made != nullptr || preparing != nullptr) return;
  preparing = new std::thread([] {
    made = new z3::context;
    trace_phase("z3 context ready");
  });
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
