// Stage: verify. `polc diff` for the OS layer: limits, namespaces, mount rules and workspaces.
// These are not requests a solver needs to enumerate but settings compared one by one: raising or
// removing a limit, dropping a namespace, removing a mount rule (or growing a tmpfs), removing a
// workspace or discarding it on fewer conditions widen what the payload may do; the reverse
// narrows it.
#pragma once

#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/verify/outcome.h"

namespace polc::verify {

// One entry per setting that differs, in the order limits, namespaces, mounts (by path, kind),
// workspaces (by path). A workspace whose discard conditions both lose and gain members gives a
// widened and a narrowed entry. The entries have no witness: the region names the setting.
std::vector<DiffEntry> diff_os(const ir::Policy& old_policy, const ir::Policy& new_policy);

}  // namespace polc::verify
