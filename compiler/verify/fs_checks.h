// Stage: verify. The filesystem section's checks for `polc check` and `polc build`: dead grants
// (W0009) and the policy's filesystem assertions, each proved in Z3 over the model of fs_model.h.
#pragma once

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/verify/outcome.h"

namespace polc::verify {

// Reports W0009 for every statement of the root policy that grants rights the rest of the policy
// already decides: every right it grants, on its path and everything beneath it, is granted by
// other statements, taken away by deny rules, or not handled at the policy's ABI. Notes name the
// statements that decide instead. Statements are considered in IR order and each reported one is
// then left out, so removing every reported statement together changes nothing. Statements of
// imported modules are never reported (they may still be what makes a policy statement dead).
// A statement Z3 cannot decide within its limit is counted in Work::unknown and not reported.
Work check_filesystem(const ir::Policy& policy, diag::Engine& engine);

// Proves one filesystem assertion (`query.kind == QueryKind::Fs`): `never` holds when no right of
// the query is allowed on the path or beneath it, `always` when every one is. On failure the
// counterexample is a request (`write_file "/etc"`), `decision` "allowed" or "denied", and
// `deciding` the rules that grant it (or deny it; empty when nothing grants it).
AssertionOutcome prove_fs(const ir::Policy& policy, const ir::Assertion& assertion);

}  // namespace polc::verify
