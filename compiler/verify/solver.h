// Stage: verify. The one place polc talks to Z3's solver: every query runs under a deterministic
// resource limit (Z3's rlimit, counted in solver steps rather than seconds, so that a proof never
// passes on a fast machine and fails on a slow one), and answers are read back as plain values.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <z3++.h>

namespace polc::verify {

// Steps one query may take. Every query polc asks is small (one syscall's rules, one path's
// ancestors, one program's paths); this is orders of magnitude above what they use, and only
// bounds a pathological input.
inline constexpr unsigned kDefaultQueryRlimit = 50'000'000;

// The limit of the queries created from now on (`--solver-rlimit`; 0 restores the default).
void set_query_rlimit(unsigned steps);

enum class Answer : uint8_t { Sat, Unsat, Unknown };

// Where a Query's questions go. On the shared context (below), Shared Queries of a logic ask
// through one solver and one answer book, so that a run pays Z3's setup once rather than per
// question: a fresh QF_BV solver cost about 0.6 ms before its first answer, more than most
// questions. A question asked again (Z3 shares equal terms, so the same formula is the same term:
// the same assertion on two targets, the same argument checks in two programs) gets the first
// answer and witness back. A search that reads one witness after another and shapes what it
// reports from them (polc diff's regions) keeps a solver of its Own, so that its witnesses depend
// on its own questions alone. Either way answers are deterministic: the same run asks the same
// questions in the same order.
enum class QueryScope : uint8_t { Shared, Own };

// A solver for one question at a time: `check` asserts `formula` on a fresh scope and answers
// whether it is satisfiable; after Sat, `model` holds a witness until the next check. Questions
// that Z3's rewriter already reduces to false are answered without the solver.
class Query {
 public:
  // `logic`: the SMT-LIB logic of the questions ("QF_BV" for syscalls and addresses, nullptr for
  // Z3's general solver). A logic-specific solver answers small bit-vector questions in well under
  // a millisecond, where the general one first spends tens of milliseconds choosing a strategy.
  explicit Query(z3::context& ctx, QueryScope scope = QueryScope::Shared, const char* logic = "QF_BV");
  Answer check(const z3::expr& formula);
  const z3::model& model() const { return *model_; }
  // The witness value of a bit-vector or Boolean term (unconstrained parts are 0).
  uint64_t value(const z3::expr& term) const;
  std::string string_value(const z3::expr& term) const;
  uint64_t checks() const { return checks_; }

  struct Book;  // a solver and its answers, shared by the Queries of one logic (solver.cpp)

 private:
  std::shared_ptr<Book> book_;
  unsigned rlimit_;  // the step limit when this Query was made, set on the shared solver per check
  std::optional<z3::model> model_;
  uint64_t checks_ = 0;
};

// The process's Z3 context. Creating one costs 50-150 ms (Z3 4.8 sets up its tables eagerly),
// more than all the queries of a typical policy, so every check of a run shares this one. Not
// thread-safe: one thread at a time may use it (a build's proofs run on a thread of their own
// while the main thread stays off Z3, driver/background_proofs.h).
z3::context& shared_context();

// Starts creating the shared context on a thread of its own, so that Z3's setup (mostly page
// faults filling its tables) overlaps the front end and the backends instead of following them.
// Call it from the main thread before anything else touches Z3; shared_context() then waits for
// that thread. Calling it twice, or after shared_context(), does nothing.
void prepare_shared_context();

// Waits for a context prepare_shared_context() is still creating. A process must not run its exit
// handlers while that thread is inside Z3 (Z3's globals are torn down by them).
void settle_shared_context();

// Drops the shared context's solvers and answers: the next Query starts afresh, so that what a
// run proved about one policy never shapes the witnesses found for the next. Call it from the
// thread that holds the shared context.
void forget_answers();

// "z3 4.8.12": recorded in the build's verdicts, since a proof is only as good as its prover.
std::string solver_version();

}  // namespace polc::verify
