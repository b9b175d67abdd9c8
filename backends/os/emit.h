// Stage: backends/os. The backend's entry point: the IR's OS layer (namespaces, resource limits,
// mounts, workspaces) and the masks of deny rules beneath grants, as os.json, a launcher-neutral
// description sbx-exec applies (format in docs/backends/os.md), and what it enforces.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/os/os_vocab.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::backends::os {

// One mount of os.json: a mount rule of the policy, or a deny's mask (or both, when they agree).
struct OsMount {
  MountKind kind = MountKind::Hide;
  std::string path;
  uint64_t size = 0;                // Tmpfs: bytes, 0 for the kernel's default
  std::vector<ir::Origin> origins;  // the mount rule, or the deny rules it masks
  bool masks_deny = false;          // derived from a deny rule beneath a grant
};

// The OS layer as the backends see it: the policy's statements plus the masks, ordered as
// os.json lists them (mounts by path, then MountKind).
struct OsLayer {
  std::vector<ir::Namespace> namespaces;  // sorted, implied ones and the masks' mount included
  std::vector<OsMount> mounts;
};

OsLayer os_layer(const ir::Policy& policy);

// os.json's bytes (canonical: sorted keys, two-space indent, a final newline).
std::string os_json(const ir::Policy& policy, const OsLayer& layer);

// The backend's entry point (backends/backend.h): os.json, written for every policy (core dumps
// off is the default every policy gets), and its claims.
std::optional<BackendOutput> run(const ir::Policy& policy, diag::Engine& engine, const EmitHooks& hooks = {});

}  // namespace polc::backends::os
