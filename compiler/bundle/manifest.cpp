// Stage: bundle. The canonical manifest.
#include "compiler/bundle/manifest.h"

#include "compiler/bundle/sha256.h"

namespace polc::bundle {

std::string manifest_json(const ir::Policy& policy, const std::string& compiler_version,
                          const std::map<std::string, std::vector<uint8_t>>& artifacts, const Coverage& coverage,
                          const nlohmann::json& verification) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& [path, bytes] : artifacts)
    files.push_back({{"path", path}, {"sha256", sha256_hex(bytes)}, {"size", bytes.size()}});
  const nlohmann::json doc = {{"format", "polc.bundle/1"},
                              {"policy", {{"name", policy.name}, {"version", policy.version}}},
                              {"compiler", "polc " + compiler_version},
                              {"artifacts", files},
                              {"coverage", coverage_json(coverage)},
                              {"verification", verification}};
  // nlohmann's objects are std::map-backed: dump() writes sorted keys and no whitespace.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

}  // namespace polc::bundle
