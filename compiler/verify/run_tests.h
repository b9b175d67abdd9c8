// Stage: verify. The policy's own `test` blocks, evaluated concretely (no solver) with the
// reference semantics of each section: `ir::decide` for syscalls, `ir::decide_fs` and
// `ir::decide_net` for files and connections. `polc test` prints the results; `polc check` and
// `polc build` report each failed expectation as E0505.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/arch/arch.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/evaluate_access.h"
#include "compiler/ir/ir.h"

namespace polc::verify {

// The outcome of one expectation. Pointers refer into the policy given to `run_tests`.
struct ExpectationResult {
  const ir::Expectation* expectation = nullptr;
  bool passed = false;
  std::string query;     // the query on one line: `socket(0x2, 0x1, 0x0)`, `read "/etc/shadow"`,
                         // `connect tcp 8000-8080 to 10.0.0.1`, `bind tcp any`
  std::string expected;  // "allow", "deny" (any refusal for syscalls), "errno(1)", "kill_process"
  // What the policy decides: for syscalls the action ("errno(1)"), else "allow" or "deny", or for
  // a filesystem query whose rights go different ways "allow read; deny write". For a failure,
  // what it decides where the expectation breaks (at `arch`, for `witness`).
  std::string decided;
  // Failures only:
  std::optional<arch::Arch> arch;    // syscalls: the first target (in target order) where it fails
  std::string witness;               // network queries naming several requests (a port range, no host):
                                     // the one that breaks it, `connect tcp 8081 to 10.0.0.1`
  std::vector<ir::Origin> deciding;  // the statements that decide it (may be empty: the implicit default)
  std::string deciding_role;         // what they do, for a note: "this rule decides it", ...
};

struct TestResult {
  const ir::Test* test = nullptr;
  std::vector<ExpectationResult> expectations;
  bool passed() const;
};

// Semantics of each expectation:
// - syscall: holds on every target arch of the query, the registers being the query's arguments;
//   `expect deny` (any_denial) means the decision is not `allow`, any other action must be exact.
// - filesystem: `allow` holds when every right of the query is allowed on the path, `deny` when
//   every one is denied; a mix fails both.
// - network: the query names one request, or several (a port range, no port, no host): `allow`
//   holds when every one is allowed, `deny` when every one is denied. Decided exactly on one
//   request per region of the query where all rules match alike (ir::representative_requests).
std::vector<TestResult> run_tests(const ir::Policy& policy);

// One expectation of `policy` (or one `polc eval` builds), evaluated as `run_tests` does.
ExpectationResult run_expectation(const ir::Policy& policy, const ir::Expectation& expectation);

// What the statements that decide one right on a path (`right` as the policy names it:
// "read_file") or one network request do, as failure notes and `polc eval` say it: "this rule
// grants read_file on the path", "no allow rule matches it".
std::string fs_role(const ir::FsDecision& d, std::string_view right, unsigned abi);
std::string net_role(const ir::NetDecision& d, const ir::Network& net);

// A filesystem query's rights as a policy writes them: `read, execute` (the composites where
// every bit of them is present, fine rights for the rest).
std::string rights_text(uint64_t rights, unsigned abi);

// "expected deny for write "/usr/lib/os.py", but the policy allows it": one line, the same in
// every report (diagnostics, `polc test` text, JSON and JUnit).
std::string failure_text(const ExpectationResult& r);

// Reports every failed expectation as E0505 at the expectation, with a note at each deciding
// statement and a help line.
void report_test_failures(const std::vector<TestResult>& results, diag::Engine& engine);

}  // namespace polc::verify
