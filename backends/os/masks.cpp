// Stage: backends/os. The masks of deny rules beneath grants (see masks.h).
#include "backends/os/masks.h"

#include "compiler/ir/deny_overlap.h"

namespace polc::backends::os {

std::vector<DenyMask> deny_masks(const ir::Filesystem& fs) {
  std::vector<DenyMask> out;
  for (const ir::DenyOverlap& o : ir::deny_overlaps(fs))
    for (MountKind kind : mask_kinds(o.deny->rights)) out.push_back({kind, o.deny});
  return out;
}

}  // namespace polc::backends::os
