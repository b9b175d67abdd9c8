// Stage: verify. The lint checks of the syscall section, proved with Z3 one syscall at a time
// (rules of different syscalls never interact, so no query ever spans two):
//   W0004 a condition no call satisfies (beyond the contradictions sema's normal form already
//         catches), W0009 a rule that never decides anything (every call it matches is decided
//         at least as restrictively by other rules), W0008 a partial overlap of rules with
//         different actions (a carve-out, where one rule contains the other, is how policies
//         are written and is not reported), W0010 overlapping rules with different errno values.
// Each report carries a witness call. Only rules the root policy wrote are reported: a module's
// rule made redundant by the policy is not the policy author's to fix.
#pragma once

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/verify/outcome.h"

namespace polc::verify {

Work check_syscalls(const ir::Policy& policy, diag::Engine& engine);

}  // namespace polc::verify
