// Stage: import. Reads an OCI runtime-spec / Docker seccomp profile (JSON) into an OciProfile,
// checking every field's type and vocabulary: malformed JSON is E0701, a wrong type or missing
// field E0702, an unknown action, operator, architecture, capability or kernel version E0703, an
// unknown field E0704; fields known to be harmless are ignored with W0701.
#pragma once

#include <optional>

#include "compiler/diag/diagnostic.h"
#include "compiler/import/oci_profile.h"

namespace polc::import {

// Reads the profile held as file `file` by the engine's sources. nullopt when an error was
// reported; the profile otherwise.
std::optional<OciProfile> read_oci_profile(diag::Engine& engine, diag::FileId file);

}  // namespace polc::import
