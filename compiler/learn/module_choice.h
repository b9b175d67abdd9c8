// Stage: learn. Which std modules a draft imports: those that cover many observed syscalls while
// allowing few that were not observed.
//
// Candidates: every embedded std.runtime.*, std.lang.* and std.tools.* module. For a candidate M,
// on the draft's targets:
//   covered(M) = observed syscall names, not yet covered by modules already chosen, every
//                observed call of which M allows (by the IR evaluator, conditions included);
//   extra(M)   = syscall names M allows (with or without conditions) that were never observed and
//                that no module already chosen allows.
// M is importable when covered(M) >= 8, covered(M) >= a quarter of the observed names, and
// extra(M) <= 4 * covered(M). Greedy: the importable candidate with the highest
// 4 * covered - extra (ties: the first in stdlib path order) is chosen, the counts are
// recomputed against what is left, and so on until none is importable. A module whose probe policy does not compile on the
// targets (a syscall one of them lacks) is not a candidate, and neither is one that allows a
// syscall or grants a path that the boundary (`within`, when given) refuses: polc diff's engine
// decides it.
// Only syscalls are counted: a module's filesystem grants (the glibc loader's /usr/lib) are read
// rights the same workloads need, and the draft lists only what the imports do not already grant.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/learn/recording.h"

namespace polc::learn {

struct ModuleChoice {
  std::string module;  // "std.runtime.glibc"
  size_t covered = 0;
  size_t extra = 0;
};

// `calls` are the observed calls the draft must allow (named ones only), `targets` its arches.
std::vector<ModuleChoice> choose_modules(std::span<const Call* const> calls, std::span<const arch::Arch> targets,
                                         const ir::Policy* within = nullptr);

// True when `policy` permits a request `within` refuses (polc diff's "widened").
bool widens(const ir::Policy& within, const ir::Policy& policy);

// "targets x86_64, aarch64": the targets statement for `targets`.
std::string targets_text(std::span<const arch::Arch> targets);

}  // namespace polc::learn
