// Stage: bundle. manifest.json: the policy, the compiler, every artifact's and every source's
// path, SHA-256 and size, the backends selected, the coverage map, the verifier's verdicts and an
// optional expiry, in canonical JSON (sorted keys, no insignificant whitespace) so that the same
// inputs give the same bytes and a signature over it covers the whole bundle (docs/bundle.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/bundle/bundle_reader.h"
#include "compiler/bundle/coverage.h"

namespace polc::bundle {

// A source file carried in the bundle under sources/, so that reviewers see everything that
// shaped the artifacts and `polc inspect` can rebuild them.
struct SourceFile {
  std::string path;    // bundle-relative: "sources/python_agent.sbx"
  std::string role;    // "policy", "stdlib" or "local"
  std::string module;  // dotted module name; "" for the policy
  std::string import;  // local: the path relative to the policy's directory
  std::string shown;   // the path diagnostics show for it; `at` locations are rewritten to `path`
  std::string text;
};

struct ManifestInput {
  const ir::Policy& policy;
  std::string compiler_version;
  const std::map<std::string, std::vector<uint8_t>>& artifacts;  // the backends' files, by bundle path
  const std::vector<SourceFile>& sources;
  std::vector<std::string> backends;   // selected, sorted
  const Coverage& coverage;
  const nlohmann::json& verification;
  std::optional<std::string> expires;  // canonical UTC time (format_utc_time)
};

std::string manifest_json(const ManifestInput& in);

}  // namespace polc::bundle
