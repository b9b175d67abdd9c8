// Stage: bundle. The canonical manifest.
#include "compiler/bundle/manifest.h"

#include "compiler/bundle/sha256.h"

namespace polc::bundle {

// Locations ("FILE:LINE") name files as they were given to polc, which differ between checkouts
// and working directories. In the manifest they name the bundle's own copy instead, so that the
// bundle is the same wherever it is built and every location can be opened inside it.
std::string bundle_location(const std::string& at, const std::vector<SourceFile>& sources) {
  std::string location = at;
  for (const SourceFile& s : sources)
    if (!s.shown.empty() && at.size() > s.shown.size() && at.compare(0, s.shown.size(), s.shown) == 0 &&
        at[s.shown.size()] == ':')
      location = s.path + at.substr(s.shown.size());
  return location;
}

Manifest manifest_of(const ManifestInput& in) {
  Manifest m;
  m.policy_name = in.policy.name;
  m.policy_version = static_cast<int64_t>(in.policy.version);
  m.compiler = "polc " + in.compiler_version;
  m.backends = in.backends;
  for (const auto& [path, bytes] : in.artifacts) m.artifacts.push_back({path, sha256_hex(bytes), bytes.size()});
  for (const SourceFile& s : in.sources)
    m.sources.push_back({s.path, s.role, s.module, s.import, sha256_hex(s.text), s.text.size()});
  m.coverage = manifest_coverage(in.coverage);
  for (ManifestStatement& s : m.coverage) s.at = bundle_location(s.at, in.sources);
  set_verification(m, in.verification, in.sources);
  m.expires = in.expires;
  return m;
}

void set_verification(Manifest& m, ManifestVerification v, const std::vector<SourceFile>& sources) {
  m.verification = std::move(v);
  for (ManifestAssertion& a : m.verification->assertions) a.at = bundle_location(a.at, sources);
}

std::string manifest_json(const ManifestInput& in) { return to_json(manifest_of(in)); }

}  // namespace polc::bundle
