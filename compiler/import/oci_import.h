// Stage: import. `polc import oci`: translates an OCI runtime-spec / Docker seccomp profile into
// .sbx source for chosen targets, capabilities and kernel, as runc and Docker would apply it there.
// The source is formatted by polc's formatter and compiled by sema before it is returned: what the
// import prints is canonical and compiles, or it is an internal error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/arch/arch.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/import/oci_profile.h"

namespace polc::import {

struct ImportOptions {
  std::vector<arch::Arch> targets;      // at least one; any order
  std::vector<std::string> caps;        // the container's bounding set (CAP_* names)
  bool docker_default_caps = false;     // `caps` is Docker's default set (said in the header)
  std::optional<KernelVersion> kernel;  // nullopt: every minKernel counts as reached
  std::string policy_name;              // an identifier
  std::string profile_name;             // shown in the header comment: the profile's base name
  std::string output_name;              // how diagnostics about the generated policy name it
};

struct ImportResult {
  std::optional<std::string> source;  // the formatted policy; nullopt when errors were reported
};

// Imports the profile held as file `profile` by the engine's sources. Problems in the profile are
// diagnostics in `engine` (E07xx, W07xx, and sema's warnings about the generated policy). Throws
// std::logic_error when the generated policy does not compile: a bug in the import, never output.
ImportResult import_oci(diag::Engine& engine, diag::FileId profile, const ImportOptions& options);

}  // namespace polc::import
