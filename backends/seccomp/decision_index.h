// Stage: backends/seccomp. The policy's decision for calls of one syscall, exactly as
// ir::decide computes it, without evaluating every rule for every call. The conformance check runs
// each program on a number of probe calls that grows with the syscall's rules, and ir::decide
// reads all of them per call: quadratic for a syscall with thousands of argument rules. Here a
// clause that contains an equality (`request == N`) is filed under the value it requires, so a
// call is only compared with the clauses filed under its own values and those without one.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::backends::seccomp {

class DecisionIndex {
 public:
  // `rules`: every rule of one syscall on one arch (as ir::decide finds them).
  DecisionIndex(std::span<const ir::SyscallRule> rules, const ir::Action& default_action);
  // The most restrictive action among the rules that hold for `args`, or the default.
  ir::Action decide(const std::array<uint64_t, 6>& args) const;

 private:
  struct Clause {
    const ir::Clause* clause;
    size_t rule;
  };
  // One per (argument, width) some clause's filing equality compares: ir::holds reads `==` as
  // "the register's low `width` bits are the value", so only the clauses filed under those bits
  // can hold.
  struct Bucket {
    uint8_t arg = 0;
    uint8_t width = 64;
    std::unordered_map<uint64_t, std::vector<size_t>> by_value;  // value -> indices into clauses_
  };

  std::span<const ir::SyscallRule> rules_;
  ir::Action default_;
  std::vector<Clause> clauses_;
  std::vector<Bucket> buckets_;
  std::vector<size_t> unfiled_;  // clauses with no equality: compared with every call
};

}  // namespace polc::backends::seccomp
