// Stage: verify. Runs every check, proof and test of a policy (see verify.h).
#include "compiler/verify/verify.h"

#include "compiler/diag/phase_trace.h"
#include "compiler/verify/blind_sockets.h"
#include "compiler/verify/fs_checks.h"
#include "compiler/verify/net_assertions.h"
#include "compiler/verify/net_checks.h"
#include "compiler/verify/run_tests.h"
#include "compiler/verify/solver.h"
#include "compiler/verify/syscall_assertions.h"
#include "compiler/verify/syscall_checks.h"

namespace polc::verify {

namespace {

std::string source_line(const diag::SourceManager& sources, const ir::Origin& o) {
  if (!o.range.valid()) return "";
  std::string line(sources.line_text(o.range.file, sources.line_col(o.range.file, o.range.begin).line));
  line.erase(0, line.find_first_not_of(" \t"));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
  return line;
}

AssertionOutcome prove(const ir::Policy& policy, const ir::Assertion& a) {
  switch (a.query.kind) {
    case ir::QueryKind::Syscall: return prove_syscall(policy, a);
    case ir::QueryKind::Fs: return prove_fs(policy, a);
    case ir::QueryKind::Net: return prove_net(policy, a);
  }
  return {AssertionOutcome::Result::Unknown, "", "", {}, 0};
}

void prove_assertions(const ir::Policy& policy, diag::Engine& engine, Verdicts& v) {
  for (const ir::Assertion& a : policy.assertions) {
    const AssertionOutcome outcome = prove(policy, a);
    v.queries += outcome.queries;
    AssertionVerdict verdict{a.origin, source_line(engine.sources(), a.origin),
                             outcome.result == AssertionOutcome::Result::Holds, outcome.counterexample};
    v.assertions.push_back(verdict);
    if (outcome.result == AssertionOutcome::Result::Unknown) {
      engine
          .report(diag::Code::SolverInconclusive, a.origin.range, "Z3 could not decide this assertion within its limit")
          .with_help("split the assertion into narrower ones, or raise the limit with --solver-rlimit");
      continue;
    }
    if (outcome.result == AssertionOutcome::Result::Holds) continue;
    auto& d = engine.report(diag::Code::AssertionFailed, a.origin.range,
                            std::string("this assertion does not hold: the policy ") +
                                (a.never ? "does not refuse " : "does not allow ") + outcome.counterexample);
    d.note("counterexample: " + outcome.counterexample + " is " + outcome.decision);
    for (const ir::Origin& o : outcome.deciding)
      o.range.valid() ? d.note(o.range, "decided by this rule") : d.note("decided by " + o.where);
    d.with_help(a.never ? "refuse it with a rule (or narrow the rule that allows it), or drop the assertion"
                        : "allow it with a rule (or narrow the rule that refuses it), or drop the assertion");
  }
}

}  // namespace

Verdicts verify_policy(const ir::Policy& policy, diag::Engine& engine) {
  Verdicts v;
  v.solver = solver_version();
  const size_t warnings_before = engine.warning_count();
  v.queries += check_syscalls(policy, engine).queries;
  trace_phase("proofs: syscall lints");
  v.queries += check_filesystem(policy, engine).queries;
  trace_phase("proofs: filesystem lints");
  v.queries += check_network(policy, engine).queries;
  trace_phase("proofs: network lints");
  v.lint_findings = engine.warning_count() - warnings_before;
  v.queries += check_blind_sockets(policy, engine);
  trace_phase("proofs: blind sockets");
  prove_assertions(policy, engine, v);
  trace_phase("proofs: assertions");
  const std::vector<TestResult> tests = run_tests(policy);
  for (const TestResult& t : tests)
    for (const ExpectationResult& e : t.expectations) ++(e.passed ? v.expectations_passed : v.expectations_failed);
  report_test_failures(tests, engine);
  trace_phase("proofs: tests");
  return v;
}

}  // namespace polc::verify
