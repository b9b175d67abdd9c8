// Stage: bundle. manifest.json: the policy, the compiler, every artifact's path, SHA-256 and size,
// the coverage map and the verifier's verdicts, in canonical JSON (sorted keys, no insignificant whitespace) so that the
// same inputs give the same bytes and a signature over it covers the whole bundle.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/bundle/coverage.h"

namespace polc::bundle {

inline constexpr const char* kManifestFile = "manifest.json";

// `artifacts` maps bundle-relative file names to their bytes; the manifest does not list itself.
std::string manifest_json(const ir::Policy& policy, const std::string& compiler_version,
                          const std::map<std::string, std::vector<uint8_t>>& artifacts, const Coverage& coverage,
                          const nlohmann::json& verification);

}  // namespace polc::bundle
