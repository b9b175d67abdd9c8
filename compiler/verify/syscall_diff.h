// Stage: verify. The syscall part of `polc diff`: for each target and syscall, the regions of
// argument values that two policies decide differently, found with Z3 one syscall at a time
// (each region is one pair of decisions, old and new; a witness is asked for, the region is
// excluded, and the next is asked for until none is left).
#pragma once

#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/verify/outcome.h"

namespace polc::verify {

// True when a request decided `a` runs (allow, log) or may run (trace, user_notif: a supervisor
// decides): the line between "permitted" and "refused" that `polc diff` calls widening.
bool may_run(const ir::Action& a);

std::vector<DiffEntry> diff_syscalls(const ir::Policy& old_policy, const ir::Policy& new_policy);

}  // namespace polc::verify
