// Stage: backends/seccomp. polc's own seccomp code generator: from the IR's syscall rules to one
// classic BPF program, in process (no libseccomp, no child process). The program dispatches on the
// arch, searches the syscall number in a weighted tree over runs of numbers with one decision,
// and tests arguments exactly, one 32-bit half at a time. Its contract is exactly ir::decide as
// conformance.h's expected_action states it; the caller still checks every program
// (validate(), check_program(), translation validation).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "backends/seccomp/bpf_program.h"
#include "compiler/arch/arch.h"
#include "compiler/ir/ir.h"

namespace polc::backends::seccomp::gen {

struct Options {
  // Relative frequency of each syscall number per arch (a recorded mix), or empty: then every
  // number the policy allows (or decides by its arguments) weighs 1 and every other a small
  // epsilon. Numbers an arch's map does not list weigh the epsilon.
  std::map<arch::Arch, std::map<uint32_t, double>> weights;
};

// Why a program could not be generated, for the diagnostic the caller reports.
struct Failure {
  // TooWide: a comparison reads more than the low 32 bits of an argument on an arch whose filter
  // compares only those (x86, arm, x32; E0601). TooLarge: the program exceeds the kernel's 4,096
  // instructions (E0602); `costs` then names what the instructions went to.
  enum class Kind : uint8_t { TooWide, TooLarge } kind = Kind::TooLarge;
  const ir::SyscallRule* rule = nullptr;  // TooWide: the rule; TooLarge: the costliest syscall's
  unsigned compared_bits = 0;             // TooWide
  size_t length = 0;                      // TooLarge: the program's length
  // TooLarge: (syscall name on its arch, instructions its argument tests take), costliest first.
  std::vector<std::pair<std::string, size_t>> costs;
};

struct Result {
  std::vector<Insn> insns;  // host byte order (encode() writes the target's)
  std::string error;        // empty on success; else a sentence (failure says more)
  std::vector<Failure> failures;
};

// The program deciding `decides` (arch::family_targets of the first; the first is the program's
// own arch, dispatched first), exactly as ir::decide / expected_action say: kill_process for
// every other audit arch. Deterministic: the same inputs give the same instructions.
Result generate(const ir::Policy& policy, std::span<const arch::Arch> decides, const Options& options = {});

}  // namespace polc::backends::seccomp::gen
