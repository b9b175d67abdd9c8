// Stage: bundle. The canonical manifest.
#include "compiler/bundle/manifest.h"

#include "compiler/bundle/sha256.h"

namespace polc::bundle {

std::string manifest_json(const ManifestInput& in) {
  nlohmann::json artifacts = nlohmann::json::array();
  for (const auto& [path, bytes] : in.artifacts)
    artifacts.push_back({{"path", path}, {"sha256", sha256_hex(bytes)}, {"size", bytes.size()}});
  nlohmann::json sources = nlohmann::json::array();
  for (const SourceFile& s : in.sources) {
    nlohmann::json entry = {{"path", s.path}, {"role", s.role}, {"sha256", sha256_hex(s.text)}, {"size", s.text.size()}};
    if (!s.module.empty()) entry["module"] = s.module;
    if (!s.import.empty()) entry["import"] = s.import;
    sources.push_back(std::move(entry));
  }
  nlohmann::json doc = {{"format", kBundleFormat},
                        {"policy", {{"name", in.policy.name}, {"version", in.policy.version}}},
                        {"compiler", "polc " + in.compiler_version},
                        {"backends", in.backends},
                        {"artifacts", artifacts},
                        {"sources", sources},
                        {"coverage", coverage_json(in.coverage)},
                        {"verification", in.verification}};
  if (in.expires) doc["expires"] = *in.expires;
  // nlohmann's objects are std::map-backed: dump() writes sorted keys and no whitespace.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

}  // namespace polc::bundle
