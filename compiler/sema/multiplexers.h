// Stage: sema. Warnings about rules that the x86 and s390x multiplexer syscalls (socketcall, ipc)
// could bypass.
#pragma once

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::sema {

// Reports W0006 for each restricting rule on a multiplexed call whose multiplexer `p` lets through.
void check_multiplexers(diag::Engine& diags, const ir::Policy& p);

}  // namespace polc::sema
