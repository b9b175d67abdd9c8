// Stage: import. Writing imported rules as .sbx text.
#include "compiler/import/oci_source.h"

#include <sstream>

#include "compiler/fmt/format.h"
#include "compiler/import/oci_vocab.h"

namespace polc::import {

namespace {

// Appends `text` as comment lines at `indent`, wrapped at spaces to the formatter's line width;
// continuation lines are indented under the text. The formatter keeps comments as written.
void comment(std::string& out, size_t indent, const std::string& text) {
  const std::string first = std::string(indent, ' ') + "# ", next = std::string(indent, ' ') + "#   ";
  std::string line = first;
  bool empty = true;
  std::istringstream words(text);
  for (std::string w; words >> w;) {
    if (!empty && line.size() + 1 + w.size() > fmt::kLineWidth) {
      out += line + "\n";
      line = next;
      empty = true;
    }
    line += (empty ? "" : " ") + w;
    empty = false;
  }
  out += line + "\n";
}

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string write_source(const SourceHeader& h, const ImportedRules& rules) {
  std::string out;
  std::vector<std::string> targets;
  for (arch::Arch a : h.targets) targets.emplace_back(arch::name(a));
  comment(out, 0, "Imported by `polc import oci` from " + h.profile_name + ".");
  comment(out, 0, "Targets: " + list(targets) + ".");
  comment(out, 0,
          "Capabilities held: " + (h.caps.empty() ? std::string("none") : list(h.caps)) +
              (h.docker_default_caps ? " (Docker's default set)." : "."));
  if (h.kernel) comment(out, 0, "Kernel: " + to_string(*h.kernel) + "; entries needing a newer minKernel are skipped.");
  else comment(out, 0, "Kernel: not given; every minKernel counts as reached.");
  out += "policy " + h.policy_name + " version 1 {\n";
  out += "  targets " + list(targets) + "\n";
  out += "  syscalls {\n";
  out += "    default " + rules.default_action + "\n";
  for (const ImportedStatement& s : rules.statements) {
    out += "\n";
    for (const std::string& c : s.comments) comment(out, 4, c);
    out += "    " + s.text + "\n";
  }
  if (!rules.skipped.empty()) {
    out += "\n";
    comment(out, 4, "Skipped entries:");
    for (const std::string& s : rules.skipped) comment(out, 4, s);
  }
  out += "  }\n}\n";
  return out;
}

}  // namespace polc::import
