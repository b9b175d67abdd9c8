// Stage: verify. Translation validation of emitted seccomp programs: a proof, over every
// `struct seccomp_data` (every 32-bit arch value and syscall number, every 64-bit argument register
// and instruction pointer), that a program returns what the IR decides (ir::decide), decoded as the
// kernel decodes return values. Where the sampling check of backends/seccomp/conformance.h tries
// chosen values, this covers all of them; a mismatch comes with a concrete call that shows it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <z3++.h>

#include "backends/seccomp/bpf_program.h"
#include "backends/seccomp/emit.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/verify/outcome.h"
#include "compiler/verify/verify.h"

namespace polc::verify {

// One call the program and the policy decide differently. Both actions were recomputed concretely
// (backends::seccomp::run and ir::decide) from the solver's values, so the witness is real.
struct TranslationWitness {
  backends::seccomp::SeccompData data;
  ir::Action expected;  // the policy's decision (kill_process for an arch the program does not decide)
  ir::Action actual;    // the program's return value, decoded as the kernel does
  // "arch 0xc000003e nr 41 arg0=0x28, ...: the policy decides errno(1), the program allow"
  std::string describe() const;
};

struct TranslationResult {
  enum class Verdict : uint8_t {
    Equivalent,  // proved: the program decides every call as the policy does
    Mismatch,    // `witness` is a call they decide differently
    Unknown,     // not proved: Z3 gave up on a region (`detail` names it) or a witness did not replay
    Invalid,     // the kernel would refuse to load the program (`detail` is the checker's message)
  };
  Verdict verdict = Verdict::Equivalent;
  std::optional<TranslationWitness> witness;
  std::string detail;
  Work work;  // solver queries asked (and given up on)

  bool equivalent() const { return verdict == Verdict::Equivalent; }
};

class Query;

// Validates programs, one call each, on the process's Z3 context (shared_context()) with one
// solver for all of them. Not thread-safe (one Z3 context).
class TranslationValidator {
 public:
  TranslationValidator();
  ~TranslationValidator();
  TranslationValidator(const TranslationValidator&) = delete;
  TranslationValidator& operator=(const TranslationValidator&) = delete;

  // Proves that `program` (for an arch of the given byte order) decides every call of the targets
  // `decides` as `policy` does and returns kill_process for every other arch value, exactly the
  // contract backends::seccomp::expected_action states. Every arch value is covered, so no list
  // of audit values to try is needed. Deterministic: the same inputs ask the same queries.
  TranslationResult validate(std::span<const backends::seccomp::Insn> program, bool big_endian,
                             const ir::Policy& policy, std::span<const arch::Arch> decides);
  // The same for one program of backends::seccomp::emit (its arch's byte order, its `decides`).
  TranslationResult validate(const backends::seccomp::ProgramArtifact& program, const ir::Policy& policy);

 private:
  z3::context& ctx_;
  std::unique_ptr<Query> query_;
};

// One program with a validator of its own (a solver of its own: cheap, the context is shared).
TranslationResult validate_translation(std::span<const backends::seccomp::Insn> program, bool big_endian,
                                       const ir::Policy& policy, std::span<const arch::Arch> decides);
TranslationResult validate_translation(const backends::seccomp::ProgramArtifact& program, const ir::Policy& policy);

// Translation validation of every program a build emits, each on a validator of its own, with
// the verdicts the manifest records. Anything short of a proof fails the build (fail closed): a
// mismatch or a program the kernel would refuse is E0604, a query Z3 gave up on E0607, each
// naming the program's file.
std::vector<ProgramVerdict> validate_programs(std::span<const backends::seccomp::ProgramArtifact> programs,
                                              const ir::Policy& policy, diag::Engine& engine);

// A 32-bit seccomp return value decoded as the kernel does (backends::seccomp::decode_ret: unknown
// actions kill the process, errno data is clamped to 4095), as rank(action) (syscall_model.h).
z3::expr decoded_rank(const z3::expr& ret);

}  // namespace polc::verify
