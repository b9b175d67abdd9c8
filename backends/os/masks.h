// Stage: backends/os. Deny beneath allow: Landlock only adds rights, so a filesystem `deny` that
// overlaps a grant (ir::deny_overlaps; E0606 without this backend) is enforced by mounts in the
// payload's mount namespace instead, chosen from the rights it denies (mask_kinds, os_vocab.h).
#pragma once

#include <vector>

#include "backends/os/os_vocab.h"
#include "compiler/ir/ir.h"

namespace polc::backends::os {

struct DenyMask {
  MountKind kind = MountKind::Hide;
  const ir::FsRule* deny = nullptr;  // the deny rule it enforces (its origins are the statements)
};

// The masks of every deny rule of `fs` that overlaps a grant, in rule order.
std::vector<DenyMask> deny_masks(const ir::Filesystem& fs);

}  // namespace polc::backends::os
