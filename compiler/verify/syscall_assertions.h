// Stage: verify. `assert never|always SYSCALL(CONDITION)` proved over every argument value on
// every target the query names. A call "runs" under allow and log, and may run under trace and
// user_notif (a supervisor decides), so `never` holds only when every matching call is refused
// (kill, trap, errno), and `always` only when every matching call is allowed or logged.
#pragma once

#include "compiler/ir/ir.h"
#include "compiler/verify/outcome.h"

namespace polc::verify {

AssertionOutcome prove_syscall(const ir::Policy& policy, const ir::Assertion& assertion);

}  // namespace polc::verify
