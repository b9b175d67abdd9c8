// Stage: backends/landlock. The filesystem layer: one path-beneath rule per path with the union of
// the rights granted there, and the check that makes deny rules honest. Landlock grants only: a
// deny rule is enforced by *not* granting, which is exact only when no grant reaches the denied
// tree (and the denied tree holds no grant of the same rights).
#pragma once

#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/enforcement.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/deny_overlap.h"
#include "compiler/ir/ir.h"

namespace polc::backends::landlock {

struct PathRule {
  std::string path;
  uint64_t access = 0;  // fs_right bits
};

struct FsLayer {
  uint64_t handled = 0;
  std::vector<PathRule> rules;  // sorted by path, one per path
  // The deny rules, for launchers to check against the host: the build compares path text, but
  // on the host a denied path may be a symbolic link into a granted tree (/bin -> usr/bin).
  std::vector<PathRule> denies;  // sorted by path, one per path
};

// True when `path` is `ancestor` or lies beneath it. Both are absolute and normal.
bool beneath(const std::string& path, const std::string& ancestor);

// E0606 for a deny rule that overlaps a grant (ir::deny_overlaps), as the driver reports it when
// no other selected backend enforces the deny.
diag::Diagnostic deny_inside_allow(const ir::DenyOverlap& overlap);

// Records what landlock.json enforces in `enforced`, and in `unenforceable` every deny rule that
// overlaps a grant (E0606 unless another backend enforces it).
FsLayer fs_layer(const ir::Filesystem& fs, Enforcements& enforced, std::vector<Unenforceable>& unenforceable);

}  // namespace polc::backends::landlock
