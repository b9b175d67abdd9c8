// Stage: import. Finds where a JSON path is in a profile's text, for diagnostics. nlohmann_json
// 3.11 keeps no positions, and an index of every value of a hostile 16 MiB file would be large, so
// each lookup rescans the (already validated) text; lookups happen only when a diagnostic is
// reported, and the reader caps how many it reports.
#pragma once

#include <string_view>

#include "compiler/diag/source_manager.h"
#include "compiler/import/oci_profile.h"

namespace polc::import {

// The range of the value at `path` in `text` (file `file`), or of the member's key when `key` is
// true and the path ends with a key. When the path is not there, the range of the deepest value on
// the way. `text` must be valid JSON.
diag::SourceRange locate(diag::FileId file, std::string_view text, const JsonPath& path, bool key = false);

}  // namespace polc::import
