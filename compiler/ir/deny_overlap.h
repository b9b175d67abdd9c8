// Stage: ir. Deny beneath allow: a filesystem deny rule that overlaps a grant of the same rights,
// beneath the granted path or above it. Landlock only adds rights and cannot enforce such a deny
// (backends/landlock: E0606 unless another backend does); the os backend masks it in the
// payload's mount namespace, and attribution.json names the statement behind each mask. One
// definition, so that the backends and the bundle agree on which denies these are.
#pragma once

#include <cstdint>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::ir {

struct DenyOverlap {
  const FsRule* deny = nullptr;
  // The first grant (in rule order) that overlaps it: the one E0606 names, since the fix for it
  // fixes the rest.
  const FsRule* grant = nullptr;
  uint64_t rights = 0;  // the rights both name
  bool inside = false;  // the deny lies beneath the grant (else the grant lies beneath the deny)
};

// Every deny rule of `fs` that overlaps a grant, in rule order. Pointers into `fs.rules`.
std::vector<DenyOverlap> deny_overlaps(const Filesystem& fs);

}  // namespace polc::ir
