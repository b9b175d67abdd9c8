// Stage: verify. What the verifier's proofs return, shared by the three dimensions (syscalls,
// filesystem, network, and the OS layer's settings in `polc diff`) so that the driver reports assertions and
// differences the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::verify {

// The result of proving one assertion.
struct AssertionOutcome {
  enum class Result : uint8_t { Holds, Fails, Unknown } result = Result::Holds;
  // Fails: one request that breaks the assertion, as a policy would write it
  // ("write_file \"/etc/a\"", "connect tcp 22 to 10.0.0.1", "x86_64 clone(arg0=0x10000000)").
  std::string counterexample;
  std::string decision;              // what the policy decides for it ("allowed", "errno(1)", ...)
  std::vector<ir::Origin> deciding;  // the rules that decide it (empty: the default, or no rule grants it)
  uint64_t queries = 0;              // solver queries asked
};

// One region of requests that two policies decide differently (`polc diff`).
struct DiffEntry {
  enum class Dimension : uint8_t { Syscalls, Filesystem, Network, Os } dimension = Dimension::Syscalls;
  bool widened = false;  // NEW permits requests of this region that OLD refused
  // Neither widened nor narrowed: both refuse (or both permit), differently (errno(1) to kill).
  bool changed_only = false;
  std::string region;   // the region, readable: "x86_64 socket where arg0 == 0x1", "write_file beneath \"/srv\""
  std::string witness;  // one request of the region, as a policy would write it
  std::string old_decision, new_decision;  // "errno(1)" / "allow", "denied" / "allowed"
  std::vector<ir::Origin> new_rules;       // the rules of NEW that decide the witness
  std::vector<ir::Origin> old_rules;       // the rules of OLD that decide the witness
};

// Solver work done by a check, for the build's verdicts and the benchmarks.
struct Work {
  uint64_t queries = 0;
  uint64_t unknown = 0;  // queries Z3 gave up on (each is reported)
};

}  // namespace polc::verify
