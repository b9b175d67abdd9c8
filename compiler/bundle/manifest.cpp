// Stage: bundle. The canonical manifest.
#include "compiler/bundle/manifest.h"

#include "compiler/bundle/sha256.h"

namespace polc::bundle {

namespace {

// Locations ("FILE:LINE") name files as they were given to polc, which differ between checkouts
// and working directories. In the manifest they name the bundle's own copy instead, so that the
// bundle is the same wherever it is built and every location can be opened inside it.
void relabel_locations(nlohmann::json& j, const std::vector<SourceFile>& sources) {
  if (j.is_array()) {
    for (auto& e : j) relabel_locations(e, sources);
  } else if (j.is_object()) {
    for (auto& [key, value] : j.items()) {
      if (key == "at" && value.is_string()) {
        const std::string at = value.get<std::string>();
        for (const SourceFile& s : sources)
          if (!s.shown.empty() && at.size() > s.shown.size() && at.compare(0, s.shown.size(), s.shown) == 0 &&
              at[s.shown.size()] == ':')
            value = s.path + at.substr(s.shown.size());
      } else {
        relabel_locations(value, sources);
      }
    }
  }
}

}  // namespace

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
  relabel_locations(doc["coverage"], in.sources);
  relabel_locations(doc["verification"], in.sources);
  // nlohmann's objects are std::map-backed: dump() writes sorted keys and no whitespace.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

}  // namespace polc::bundle
