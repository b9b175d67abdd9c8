// Stage: launcher. Explaining the Landlock filesystem layer (landlock_explain.h).
#include "launcher/landlock_explain.h"

#include <cstdio>

#include "launcher/landlock_policy.h"

namespace polc::launcher {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == '\\') {
      out += "\\\\";
    } else if (byte < 0x20 || byte >= 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

std::string rule_locations(const std::optional<bundle::Attribution>& attribution, const std::string& path) {
  if (!attribution || !attribution->landlock) return "";
  for (const bundle::AttrFsRule& rule : attribution->landlock->allows)
    if (rule.path == path) return join(rule.at, ", ");
  return "";
}

std::string skipped_rule_text(const SkippedRule& rule, const std::optional<bundle::Attribution>& attribution) {
  const std::string at = rule_locations(attribution, rule.path);
  std::string text =
      printable(rule.path) + " (" + join(fs_access_names(rule.access), ", ") + (at.empty() ? "" : "; " + at) + "): ";
  if (rule.missing)
    text +=
        "does not exist, so it grants nothing (a Landlock rule is attached to a file or directory that "
        "exists when the sandbox starts; one created later is not covered)";
  else text += "is not a directory and the rule grants only directory rights, so it grants nothing";
  return text;
}

}  // namespace polc::launcher
