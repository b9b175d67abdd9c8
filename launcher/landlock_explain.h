// Stage: launcher. The words sbx-exec explains its Landlock filesystem layer with, on stderr and in
// --dry-run: which statement of the policy granted a rule path (the bundle's attribution.json),
// why a rule was skipped on this host, and text safe to print whatever bytes a path holds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "compiler/bundle/attribution_schema.h"

namespace polc::launcher {

// `text` with every byte outside printable ASCII written as \xNN (and the backslash as \\): a path
// or a `#!` line comes from files the payload may have written, and must not drive the terminal.
std::string printable(std::string_view text);

// Where the policy grants the rule for `path` ("sources/p.sbx:7", several joined by ", "); empty
// when the bundle has no attribution or it does not know the path.
std::string rule_locations(const std::optional<bundle::Attribution>& attribution, const std::string& path);

// A rule path not added on this host, as one line's worth of text:
// "/tmp/out (write_file, make_reg; sources/p.sbx:7): does not exist, ...".
struct SkippedRule {
  std::string path;
  uint64_t access = 0;  // the rule's rights
  bool missing = true;  // false: not a directory, and the rule has only directory rights
};
std::string skipped_rule_text(const SkippedRule& rule, const std::optional<bundle::Attribution>& attribution);

}  // namespace polc::launcher
