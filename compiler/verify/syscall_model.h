// Stage: verify. The meaning of the IR's syscall section in Z3 bit-vectors: a call is an arch
// (seccomp_data.arch, 32 bits), a number (32 bits) and six 64-bit argument registers; a rule's
// condition is a formula over the registers, each comparison reading the register truncated to its
// width exactly as ir::holds does; and a decision is the most restrictive matching action, as a
// 32-bit "rank" whose unsigned order is the kernel's precedence.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>
#include <z3++.h>

#include "compiler/ir/ir.h"

namespace polc::verify {

using ArgVars = std::array<z3::expr, 6>;

// Fresh 64-bit argument registers named `<prefix>arg0` .. `<prefix>arg5`.
ArgVars make_args(z3::context& ctx, const std::string& prefix = "");

z3::expr holds(const ir::ArgCmp& cmp, const z3::expr& reg);
z3::expr holds(const ir::Clause& clause, const ArgVars& args);
z3::expr holds(const std::vector<ir::Clause>& when, const ArgVars& args);
// The same condition as holds(when, args), with the clauses that are one equality each (a value
// set: `request in {...}`) merged per register into range tests over runs of consecutive values:
// 10,000 values in 100 runs are 100 comparisons of a pair of bounds, not 10,000 equalities for
// the solver to bit-blast. Equivalent, but a solver may answer with other witnesses, so the
// checks whose witnesses users read keep holds().
z3::expr holds_as_ranges(const std::vector<ir::Clause>& when, const ArgVars& args);

// kind << 16 | data: a smaller rank is a more restrictive action (ir::more_restrictive), so the
// winner among matching rules is the minimum.
uint32_t rank(const ir::Action& a);
ir::Action action_of_rank(uint32_t rank);

// The rules of `filter` for syscall number `nr` (the filter keeps them sorted by number).
std::span<const ir::SyscallRule> rules_for(const ir::ArchFilter& filter, int nr);

// What the policy decides for a call of one syscall whose rules are `rules` (a 32-bit rank): the
// most restrictive action among the rules whose condition holds, or `default_action`.
enum class ValueSets { AsEqualities, AsRanges };  // holds() or holds_as_ranges()
z3::expr decision(z3::context& ctx, std::span<const ir::SyscallRule> rules, const ir::Action& default_action,
                  const ArgVars& args, ValueSets sets = ValueSets::AsEqualities);

// The argument registers of a witness, as `polc eval` takes them: "arg0=0x1, arg2=0x80000"
// (registers the conditions never read are left out; none at all gives "any arguments").
std::string describe_args(const std::array<uint64_t, 6>& values, uint8_t read_mask);
// Bit i set when some comparison of `rules` reads argument i.
uint8_t args_read(std::span<const ir::SyscallRule> rules);
uint8_t args_read(const std::vector<ir::Clause>& when);

}  // namespace polc::verify
