// Stage: verify. The lint checks of the network section, proved with Z3:
//   W0011 an allow rule every request of which deny rules (written, or the implicit metadata deny)
//         refuse, with a note at each denying rule;
//   W0009 an allow rule that never decides anything: every request of it that no deny refuses is
//         allowed by other allow rules (or is the proxy endpoint), so removing it changes nothing.
// A partial overlap (the usual carve-out: allow 0.0.0.0/0, deny the metadata endpoints) is how
// policies are written and is not reported. Only rules the root policy wrote are reported.
//
// Each allow rule costs one query (two or three when it is reported), built only from the rules
// that can overlap it (net_model.h's may_overlap): never one query per pair of rules.
#pragma once

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/verify/outcome.h"

namespace polc::verify {

Work check_network(const ir::Policy& policy, diag::Engine& engine);

}  // namespace polc::verify
