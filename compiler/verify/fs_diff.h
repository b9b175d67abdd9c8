// Stage: verify. `polc diff` for the filesystem section: the (path, right) requests one policy
// allows and the other denies, found in Z3 and described as regions of the path tree.
#pragma once

#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/verify/outcome.h"

namespace polc::verify {

// Every region that NEW allows and OLD denies (widened) or the reverse (narrowed). A region is a
// set of rights beneath one path, except beneath some deeper paths that are decided differently:
// "write_file, make_reg beneath \"/srv/data\", except beneath \"/srv/data/cache\"". Each entry has
// a witness request (the region's own path and its first right) and the rules of each side that
// decide it. Entries are sorted: widened first, then by path (a directory before what is beneath
// it), then by rights. Identical policies give none; a policy without a filesystem section allows
// everything.
std::vector<DiffEntry> diff_filesystem(const ir::Policy& old_policy, const ir::Policy& new_policy);

}  // namespace polc::verify
