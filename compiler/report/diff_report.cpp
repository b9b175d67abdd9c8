// Stage: report. Rendering of `polc diff` (see diff_report.h).
#include "compiler/report/diff_report.h"

#include <nlohmann/json.hpp>

namespace polc::report {

namespace {

using verify::DiffEntry;

const char* dimension_name(DiffEntry::Dimension d) {
  switch (d) {
    case DiffEntry::Dimension::Syscalls: return "syscalls";
    case DiffEntry::Dimension::Filesystem: return "filesystem";
    case DiffEntry::Dimension::Network: return "network";
    case DiffEntry::Dimension::Os: return "os";
  }
  return "";
}

const char* change_name(Change c) {
  switch (c) {
    case Change::Widened: return "widened";
    case Change::Narrowed: return "narrowed";
    case Change::Changed: return "changed";
  }
  return "";
}

// "file:line: statement" for each rule, or "the default" when no rule decides.
std::vector<std::string> rule_lines(const std::vector<ir::Origin>& origins, const diag::SourceManager& sources) {
  std::vector<std::string> out;
  for (const ir::Origin& o : origins) {
    std::string line;
    if (o.range.valid()) {
      line = std::string(sources.line_text(o.range.file, sources.line_col(o.range.file, o.range.begin).line));
      line.erase(0, line.find_first_not_of(" \t"));
    }
    const std::string entry = o.where + (line.empty() ? "" : ": " + line);
    if (std::find(out.begin(), out.end(), entry) == out.end()) out.push_back(entry);
  }
  return out;
}

std::vector<const DiffEntry*> of_change(const DiffInput& in, Change c) {
  std::vector<const DiffEntry*> out;
  for (const DiffEntry& e : in.entries)
    if (change_of(e) == c) out.push_back(&e);
  return out;
}

const char* heading(Change c) {
  switch (c) {
    case Change::Widened: return "Widened: NEW permits what OLD refused";
    case Change::Narrowed: return "Narrowed: NEW refuses what OLD permitted";
    case Change::Changed: return "Changed: refused (or permitted) both ways, differently";
  }
  return "";
}

std::string summary(const DiffInput& in) {
  return std::to_string(of_change(in, Change::Widened).size()) + " widened, " +
         std::to_string(of_change(in, Change::Narrowed).size()) + " narrowed, " +
         std::to_string(of_change(in, Change::Changed).size()) + " changed";
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '`' || c == '*' || c == '_' || c == '<' || c == '>') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

Change change_of(const DiffEntry& e) {
  if (e.widened) return Change::Widened;
  return e.changed_only ? Change::Changed : Change::Narrowed;
}

std::string diff_text(const DiffInput& in, const diag::SourceManager& sources) {
  std::string out = "polc diff: " + in.old_label + " -> " + in.new_label + "\n";
  if (in.entries.empty()) return out + "no differences: both policies decide every request the same way\n";
  for (Change c : {Change::Widened, Change::Narrowed, Change::Changed}) {
    const auto entries = of_change(in, c);
    if (entries.empty()) continue;
    out += "\n" + std::string(heading(c)) + "\n";
    for (const DiffEntry* e : entries) {
      out += "  [" + std::string(dimension_name(e->dimension)) + "] " + e->region + "\n";
      out += "      " + e->old_decision + " -> " + e->new_decision + "\n";
      if (!e->witness.empty()) out += "      e.g. " + e->witness + "\n";
      for (const std::string& l : rule_lines(e->new_rules, sources)) out += "      new: " + l + "\n";
      for (const std::string& l : rule_lines(e->old_rules, sources)) out += "      old: " + l + "\n";
    }
  }
  return out + "\n" + summary(in) + "\n";
}

std::string diff_json(const DiffInput& in, const diag::SourceManager& sources) {
  nlohmann::json entries = nlohmann::json::array();
  for (const DiffEntry& e : in.entries)
    entries.push_back({{"dimension", dimension_name(e.dimension)},
                       {"change", change_name(change_of(e))},
                       {"region", e.region},
                       {"witness", e.witness},
                       {"old", e.old_decision},
                       {"new", e.new_decision},
                       {"old_rules", rule_lines(e.old_rules, sources)},
                       {"new_rules", rule_lines(e.new_rules, sources)}});
  const nlohmann::json doc = {{"old", in.old_label},
                              {"new", in.new_label},
                              {"widened", !of_change(in, Change::Widened).empty()},
                              {"equal", in.entries.empty()},
                              {"entries", entries}};
  return doc.dump(2) + "\n";
}

std::string diff_markdown(const DiffInput& in, const diag::SourceManager& sources) {
  std::string out = "### polc diff: `" + in.old_label + "` → `" + in.new_label + "`\n\n";
  if (in.entries.empty()) return out + "No differences: both policies decide every request the same way.\n";
  out += of_change(in, Change::Widened).empty() ? "**No permission is widened.** " : "**⚠ Permissions widened.** ";
  out += summary(in) + ".\n";
  for (Change c : {Change::Widened, Change::Narrowed, Change::Changed}) {
    const auto entries = of_change(in, c);
    if (entries.empty()) continue;
    out += "\n#### " + std::string(heading(c)) +
           "\n\n| | region | before | after | example | decided by |\n|---|---|---|---|---|---|\n";
    for (const DiffEntry* e : entries) {
      std::string rules;
      for (const std::string& l : rule_lines(e->new_rules, sources))
        rules += (rules.empty() ? "" : "<br>") + md_escape(l);
      if (rules.empty()) rules = "(no rule)";
      out += "| " + std::string(dimension_name(e->dimension)) + " | " + md_escape(e->region) + " | " +
             md_escape(e->old_decision) + " | " + md_escape(e->new_decision) + " | " + md_escape(e->witness) + " | " +
             rules + " |\n";
    }
  }
  return out;
}

}  // namespace polc::report
