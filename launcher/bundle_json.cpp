// Stage: launcher. Strict reading of the bundle's JSON artifacts, through the reader polc's own
// bundle checks use (compiler/bundle/json_fields.h).
#include "launcher/bundle_json.h"

#include <string>

#include "compiler/bundle/json_fields.h"
#include "launcher/errors.h"

namespace polc::launcher {

nlohmann::json parse_bundle_json(std::string_view text, const char* file) {
  bundle::Problems problems;
  // The kind is not shown: the launcher reports the message under its own exit status.
  const bundle::JsonDocument reader{bundle::ProblemKind::MalformedManifest, file, "", problems};
  std::optional<nlohmann::json> doc = reader.parse_object(std::string(text));
  if (!doc)
    throw Failure(ExitCode::BundleInvalid,
                  problems.empty() ? std::string(file) + ": not valid JSON" : problems.front().message);
  return std::move(*doc);
}

}  // namespace polc::launcher
