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

#include "compiler/bundle/coverage.h"
#include "compiler/bundle/manifest_schema.h"

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
  std::vector<std::string> backends;  // selected, sorted
  const Coverage& coverage;
  ManifestVerification verification;
  std::optional<std::string> expires;  // canonical UTC time (format_utc_time)
};

// A location ("FILE:LINE") as the manifest spells it: FILE rewritten to the bundle's own copy of
// the file it names (s.shown -> s.path); other locations ("implicit: ...") as they are.
std::string bundle_location(const std::string& at, const std::vector<SourceFile>& sources);

// The manifest of a build, with every location rewritten to the bundle's own copy of its file.
Manifest manifest_of(const ManifestInput& in);
// Sets `m`'s verification to `v`, its locations rewritten as manifest_of rewrites them: a build
// makes the rest of its manifest while the proofs run and adds their verdicts after.
void set_verification(Manifest& m, ManifestVerification v, const std::vector<SourceFile>& sources);
// Its canonical bytes: to_json(manifest_of(in)).
std::string manifest_json(const ManifestInput& in);

}  // namespace polc::bundle
