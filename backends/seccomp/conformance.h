// Stage: backends/seccomp. Checks that an emitted program decides calls exactly as the policy does:
// the program runs in polc's BPF interpreter, the policy in the IR evaluator, over every syscall
// number an arch can send and argument values at the edges of every comparison. The build runs it
// on every program (a disagreement fails the build); tests run it with random values added.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backends/seccomp/bpf_program.h"
#include "compiler/ir/ir.h"

namespace polc::backends::seccomp {

using Args = std::array<uint64_t, 6>;

// Argument vectors that exercise `rules` (all of one syscall): all zeros, values on both sides of
// every constant (with and without garbage in the upper half of the register), every pair of such
// values on two arguments (thinned above 40,000 pairs), and for every clause a vector that
// satisfies it with each argument then pushed across its edges.
std::vector<Args> probe_args(std::span<const ir::SyscallRule> rules);

// Syscall numbers worth asking about on `a`: every number up to past the arch's table, the arch's
// private range (ARM), x32's numbers for x86_64, and the numbers the policy names.
std::vector<int32_t> probe_numbers(arch::Arch a, const ir::Policy& policy);

struct Mismatch {
  SeccompData data;
  ir::Action expected;  // the policy's decision
  ir::Action actual;    // the program's
  std::string describe() const;
};

// What a program that decides the targets `decides` must return: the policy's decision for calls
// of those targets, kill_process for every other arch.
ir::Action expected_action(const ir::Policy& policy, std::span<const arch::Arch> decides, const SeccompData& d);

// Compares the program with the policy for every audit arch in `audit_arches`, every probe number
// and probe args (plus `extra_args`, if any).
std::optional<Mismatch> check_program(std::span<const Insn> program, bool big_endian, const ir::Policy& policy,
                                      std::span<const arch::Arch> decides, std::span<const uint32_t> audit_arches,
                                      std::span<const Args> extra_args = {});

}  // namespace polc::backends::seccomp
