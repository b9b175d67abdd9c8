// Stage: backends/oci. The backend's entry point: a fragment of an OCI runtime-spec config.json
// (runtime-spec 1.0.2 and later) that gives a container what the policy's OS layer and syscall
// rules say: linux.namespaces, linux.resources, process.rlimits, mounts, linux.maskedPaths,
// linux.readonlyPaths and linux.seccomp (the same profile as seccomp.oci.json). A deployer merges
// it into the config.json of runc, crun or any runtime-spec runtime (docs/backends/os.md, "OCI").
// What has no OCI spelling (the time limit, workspaces, noexec and nodev masks) is left to os.json.
#pragma once

#include <optional>
#include <string>

#include "backends/backend.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::backends::oci {

inline constexpr const char* kOciFile = "oci-config.json";

struct OciFragment {
  std::string json;  // oci-config.json (sorted keys, two-space indent, a final newline)
  Enforcements enforced;
};

OciFragment fragment(const ir::Policy& policy, const diag::SourceManager& sources);

// The backend's entry point (backends/backend.h). Reports nothing: when no single OCI seccomp
// profile decides every target as the policy does (the seccomp backend's W0007), the fragment
// has no linux.seccomp and claims no syscall rule.
std::optional<BackendOutput> run(const ir::Policy& policy, diag::Engine& engine, const EmitHooks& hooks = {});

}  // namespace polc::backends::oci
