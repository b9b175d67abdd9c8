// Stage: launcher. Reads the bundle's JSON artifacts (landlock.json, egress.json) as strictly as
// polc reads every document: a key written twice in one object, a number no double can hold, or
// nesting deeper than a bundle ever needs makes the bundle invalid. nlohmann alone keeps the last
// of two keys, so a reviewer reading the first `"handled_access"` would not see the one applied.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace polc::launcher {

// The document as one JSON object. Throws Failure(BundleInvalid) naming `file` otherwise.
nlohmann::json parse_bundle_json(std::string_view text, const char* file);

}  // namespace polc::launcher
