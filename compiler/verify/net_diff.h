// Stage: verify. `polc diff` for the network section: the regions of requests that NEW allows and
// OLD denies (widened), and the reverse (narrowed), each with one concrete request and the rules
// of both sides that decide it.
//
// Found with Z3: ask for a request the two policies decide differently, generalize it to a region
// a reviewer can read (the box of the rule that allows it, narrowed by the box of the rule that
// refuses it on the other side, and to the ports at which the witness's destination is decided
// differently), exclude that region, ask again. A region is a box (direction, protocol, ports,
// one host: any host, a block or a domain pattern); it is marked "(partly)" when some of its
// requests are decided alike other than by deny rules both policies have (the usual metadata
// carve-out is not a difference and does not make a region partial).
//
// Deterministic: the solver's answers depend only on the policies, and the entries are sorted
// (widened first, then by direction, protocol, ports, host). At most kShownRegions entries per
// direction; the rest are counted (up to kCountedRegions) in one last entry of that direction
// whose region is "and N more regions" ("and at least N more regions" when counting stopped) and
// whose witness is empty.
#pragma once

#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/verify/outcome.h"

namespace polc::verify {

inline constexpr size_t kShownRegions = 20;
inline constexpr size_t kCountedRegions = 100;

std::vector<DiffEntry> diff_network(const ir::Policy& old_policy, const ir::Policy& new_policy);

}  // namespace polc::verify
