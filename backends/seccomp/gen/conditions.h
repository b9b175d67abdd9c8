// Stage: backends/seccomp (polc's code generator). The argument tests of one syscall: its rules
// in the kernel's precedence order, each comparison exact on each 32-bit half of the argument,
// and a syscall whose rules all compare one argument with plain comparisons (ioctl requests,
// socket domains) decided by a search over that argument's values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "backends/seccomp/gen/graph.h"
#include "compiler/arch/arch.h"
#include "compiler/ir/ir.h"

namespace polc::backends::seccomp::gen {

struct ArgLayout {
  bool big_endian = false;
  unsigned compare_bits = 64;  // 32: only the low word of an argument is compared (x86, arm, x32)
};

// The width a comparison is tested at on an arch: its own, or 32 for a masked test that reads only
// the low word; nullopt when it reads more bits than the arch compares (E0601).
std::optional<unsigned> tested_width(const ir::ArgCmp& cmp, const ArgLayout& layout);

// The tests deciding one syscall from its rules (all of one number, every comparison of a width
// tested_width accepts): the most restrictive action among the rules that hold, else
// `default_action`.
NodeId syscall_program(Graph& g, std::span<const ir::SyscallRule> rules, const ir::Action& default_action,
                       const ArgLayout& layout);

}  // namespace polc::backends::seccomp::gen
