// Stage: verify. The verifier's entry point for `polc check` and `polc build`: the lint checks of
// every section (W0004, W0008-W0011), the proof of every assertion (E0504, or E0607 when the
// solver gives up), and the policy's own tests (E0505), all reported to the engine; and the
// verdicts that the build records in its manifest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::verify {

struct AssertionVerdict {
  ir::Origin origin;
  std::string statement;  // the assertion's source line, trimmed
  bool holds = false;
  std::string counterexample;  // when it fails
};

// Translation validation of one emitted program (filled by the build, see translation.h).
struct ProgramVerdict {
  std::string artifact;  // "seccomp.x86_64.bpf"
  bool equivalent = false;
  uint64_t queries = 0;
};

struct Verdicts {
  std::string solver;  // "z3 4.8.12"
  std::vector<AssertionVerdict> assertions;
  uint64_t expectations_passed = 0, expectations_failed = 0;
  uint64_t lint_findings = 0;  // warnings the checks reported
  uint64_t queries = 0;        // solver queries of the checks and assertions
  std::vector<ProgramVerdict> programs;
};

Verdicts verify_policy(const ir::Policy& policy, diag::Engine& engine);

}  // namespace polc::verify
