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

// Audit values a program is checked on: every one polc knows (each once) plus one it does not,
// all of which the program must kill unless it decides them.
std::vector<uint32_t> probe_audits();

// The probes of one policy: for every audit value of `audit_arches`, the probe numbers of every
// arch that sends it and, for each number, probe_args of the rules of the arch it reaches (all
// zeros where it has none), plus `extra_args`. Built once and run against every program of the
// policy (a build checks two to four), with the policy's decision on each probe computed the first
// time a program that decides it asks.
class Probes {
 public:
  Probes(const ir::Policy& policy, std::span<const uint32_t> audit_arches, std::span<const Args> extra_args = {});

  // The first probe on which the program (deciding the targets `decides`) and the policy differ.
  // Not thread-safe (the decisions are filled in as they are needed).
  std::optional<Mismatch> check(std::span<const Insn> program, bool big_endian,
                                std::span<const arch::Arch> decides) const;

 private:
  struct Number {
    uint32_t audit = 0;
    int32_t nr = 0;
    size_t first = 0, count = 0;             // its vectors in args_ (and decisions_)
    std::span<const ir::SyscallRule> rules;  // the rules it reaches when the policy decides it
  };
  const ir::Action& decision(const Number& n, size_t probe) const;

  const ir::Policy& policy_;
  std::vector<Number> numbers_;  // by audit value (in the given order), then number
  std::vector<Args> args_;
  mutable std::vector<std::optional<ir::Action>> decisions_;  // the policy's, per vector of args_
};

// Compares the program with the policy for every audit arch in `audit_arches`, every probe number
// and probe args (plus `extra_args`, if any): Probes(...).check(...) for a single program.
std::optional<Mismatch> check_program(std::span<const Insn> program, bool big_endian, const ir::Policy& policy,
                                      std::span<const arch::Arch> decides, std::span<const uint32_t> audit_arches,
                                      std::span<const Args> extra_args = {});

}  // namespace polc::backends::seccomp
