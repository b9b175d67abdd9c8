// Stage: diagnostics. Human, JSON and SARIF renderings of diagnostics.
#include "compiler/diag/render.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

namespace polc::diag {

namespace {

using json = nlohmann::ordered_json;

std::string_view severity_word(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

std::string location_prefix(const SourceManager& sm, SourceRange r) {
  if (!r.valid()) return "polc";
  const LineCol lc = sm.line_col(r.file, r.begin);
  return sm.path(r.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

// `text` with every byte that is not part of valid UTF-8 (and every NUL) replaced by U+FFFD, so
// that diagnostics about bad input are themselves valid text.
std::string printable(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size() && c != 0;
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// SARIF counts offsets in the run's columnKind (code points), not bytes.
uint32_t code_points_before(const SourceManager& sm, FileId file, uint32_t offset) {
  const std::string_view text = sm.contents(file);
  uint32_t n = 0;
  for (uint32_t i = 0; i < offset && i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
  return n;
}

// The source line and a caret underline of the part of `r` that lies on its first line. Long
// lines (generated policies put thousands of statements on one) are cut to a window around the
// caret, so output stays proportional to the number of diagnostics, not to the line's length.
void append_snippet(std::string& out, const SourceManager& sm, SourceRange r) {
  if (!r.valid() || sm.contents(r.file).empty()) return;
  constexpr uint32_t kBefore = 60, kWindow = 160;
  const LineCol begin = sm.line_col(r.file, r.begin);
  const LineCol end = sm.line_col(r.file, std::max(r.end, r.begin));
  std::string_view text = sm.line_text(r.file, begin.line);
  // Work in code points from here on: index of each code point's first byte.
  std::vector<size_t> cps;
  for (size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) cps.push_back(i);
  const uint32_t line_cols = static_cast<uint32_t>(cps.size());
  uint32_t first = 1;  // first column shown
  if (line_cols > kWindow && begin.column > kBefore) first = std::min(begin.column - kBefore, line_cols - kWindow + 1);
  const uint32_t last = std::min(line_cols, first + kWindow - 1);  // last column shown
  const size_t from = first <= line_cols ? cps[first - 1] : text.size();
  const size_t to = last < line_cols ? cps[last] : text.size();
  const std::string prefix = first > 1 ? "..." : "", suffix = last < line_cols ? "..." : "";
  const std::string_view shown = text.substr(from, to - from);
  const std::string gutter = std::to_string(begin.line);
  const std::string pad(gutter.size(), ' ');
  out += pad + " |\n" + gutter + " | " + prefix + printable(shown) + suffix + "\n" + pad + " | " +
         std::string(prefix.size(), ' ');
  // Re-use the line's own tabs so the caret lines up however the terminal expands them.
  uint32_t col = first;
  for (size_t i = from; i < to && col < begin.column; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    out += text[i] == '\t' ? '\t' : ' ';
    ++col;
  }
  uint32_t width = 1;
  if (end.line == begin.line && end.column > begin.column) width = end.column - begin.column;
  if (end.line != begin.line) width = std::max<uint32_t>(1, line_cols + 1 - begin.column);
  width = std::max<uint32_t>(1, std::min(width, last + 1 - std::min(begin.column, last)));
  out += std::string(width, '^') + "\n";
}

json range_json(const SourceManager& sm, SourceRange r) {
  if (!r.valid()) return nullptr;
  const LineCol b = sm.line_col(r.file, r.begin);
  const LineCol e = sm.line_col(r.file, std::max(r.end, r.begin));
  return json{{"file", sm.path(r.file)},
              {"start", {{"line", b.line}, {"column", b.column}, {"offset", r.begin}}},
              {"end", {{"line", e.line}, {"column", e.column}, {"offset", std::max(r.end, r.begin)}}}};
}

json sarif_region(const SourceManager& sm, SourceRange r) {
  const LineCol b = sm.line_col(r.file, r.begin);
  const LineCol e = sm.line_col(r.file, std::max(r.end, r.begin));
  return json{{"startLine", b.line}, {"startColumn", b.column}, {"endLine", e.line}, {"endColumn", e.column}};
}

json sarif_location(const SourceManager& sm, SourceRange r) {
  return json{
      {"physicalLocation", {{"artifactLocation", {{"uri", sm.path(r.file)}}}, {"region", sarif_region(sm, r)}}}};
}

std::string_view sarif_level(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

}  // namespace

std::string render_human(const Engine& engine) {
  const SourceManager& sm = engine.sources();
  std::string out;
  // A terminal full of thousands of diagnostics helps nobody; the counts below stay exact and the
  // JSON and SARIF outputs carry every diagnostic.
  constexpr size_t kMaxShown = 200;
  const auto sorted = engine.sorted();
  size_t shown = 0;
  for (const Diagnostic* d : sorted) {
    if (++shown > kMaxShown) {
      out += "... " + std::to_string(sorted.size() - kMaxShown) +
             " more diagnostics not shown (use --format json for all)\n";
      break;
    }
    const CodeInfo& ci = info(d->code);
    out += printable(location_prefix(sm, d->range) + ": " + std::string(severity_word(d->severity)) + "[" +
                     std::string(ci.id) + "]: " + d->message) +
           "\n";
    append_snippet(out, sm, d->range);
    for (const Note& n : d->notes) {
      if (n.range.valid()) {
        out += printable("note: " + location_prefix(sm, n.range) + ": " + n.message) + "\n";
        append_snippet(out, sm, n.range);
      } else {
        out += "  = note: " + printable(n.message) + "\n";
      }
    }
    if (!d->help.empty()) out += "  = help: " + printable(d->help) + "\n";
    for (const FixIt& f : d->fixits) {
      if (f.range.begin == f.range.end) {
        const LineCol at = sm.line_col(f.range.file, f.range.begin);
        out += "  = fix: insert `" + f.replacement + "` at " + std::to_string(at.line) + ":" +
               std::to_string(at.column) + "\n";
      } else {
        out += "  = fix: replace with `" + f.replacement + "`\n";
      }
    }
  }
  const size_t errors = engine.error_count(), warnings = engine.warning_count();
  if (errors + warnings > 0) {
    out += std::to_string(errors) + (errors == 1 ? " error" : " errors") + ", " + std::to_string(warnings) +
           (warnings == 1 ? " warning" : " warnings") + "\n";
  }
  return out;
}

std::string render_json(const Engine& engine) {
  const SourceManager& sm = engine.sources();
  json arr = json::array();
  for (const Diagnostic* d : engine.sorted()) {
    const CodeInfo& ci = info(d->code);
    json notes = json::array();
    for (const Note& n : d->notes) notes.push_back({{"message", n.message}, {"range", range_json(sm, n.range)}});
    json fixits = json::array();
    for (const FixIt& f : d->fixits)
      fixits.push_back({{"range", range_json(sm, f.range)}, {"replacement", f.replacement}});
    arr.push_back({{"code", ci.id},
                   {"name", ci.name},
                   {"severity", severity_word(d->severity)},
                   {"message", d->message},
                   {"range", range_json(sm, d->range)},
                   {"notes", notes},
                   {"help", d->help.empty() ? json(nullptr) : json(d->help)},
                   {"fixits", fixits}});
  }
  // Messages quote user input (paths, names); `replace` turns any invalid UTF-8 into U+FFFD
  // instead of throwing.
  return json{{"diagnostics", arr}, {"errors", engine.error_count()}, {"warnings", engine.warning_count()}}.dump(
             2, ' ', false, json::error_handler_t::replace) +
         "\n";
}

std::string render_sarif(const Engine& engine, std::string_view tool_version, std::string_view docs_uri) {
  const SourceManager& sm = engine.sources();
  // Rules: every registered code, so a results viewer can show help for any of them and rule
  // indexes stay stable between runs. Each links its section of the installed diagnostics.md,
  // whose headings (`#### E0201`) get the anchor `e0201`.
  json rules = json::array();
  for (const CodeInfo& ci : all_codes()) {
    std::string anchor(ci.id);
    std::transform(anchor.begin(), anchor.end(), anchor.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    rules.push_back({{"id", ci.id},
                     {"name", ci.name},
                     {"shortDescription", {{"text", ci.summary}}},
                     {"fullDescription", {{"text", ci.explanation}}},
                     {"help", {{"text", ci.explanation}}},
                     {"helpUri", std::string(docs_uri) + "/diagnostics.md#" + anchor},
                     {"defaultConfiguration", {{"level", sarif_level(ci.severity)}}}});
  }
  json results = json::array();
  for (const Diagnostic* d : engine.sorted()) {
    std::string text = d->message;
    if (!d->help.empty()) text += " (help: " + d->help + ")";
    json result = {{"ruleId", info(d->code).id},
                   {"ruleIndex", static_cast<int>(d->code)},
                   {"level", sarif_level(d->severity)},
                   {"message", {{"text", text}}}};
    // A diagnostic without a location (a file named on the command line that cannot be read) gets
    // an empty locations array, which SARIF allows.
    if (d->range.valid()) {
      result["locations"] = json::array({sarif_location(sm, d->range)});
    } else {
      result["locations"] = json::array();
    }
    json related = json::array();
    int id = 0;
    for (const Note& n : d->notes) {
      if (!n.range.valid()) continue;
      json loc = sarif_location(sm, n.range);
      loc["id"] = id++;
      loc["message"] = {{"text", n.message}};
      related.push_back(loc);
    }
    if (!related.empty()) result["relatedLocations"] = related;
    if (!d->fixits.empty()) {
      json replacements = json::array();
      for (const FixIt& f : d->fixits) {
        const uint32_t begin = code_points_before(sm, f.range.file, f.range.begin);
        const uint32_t end = code_points_before(sm, f.range.file, f.range.end);
        replacements.push_back({{"deletedRegion", {{"charOffset", begin}, {"charLength", end - begin}}},
                                {"insertedContent", {{"text", f.replacement}}}});
      }
      result["fixes"] = json::array(
          {{{"description", {{"text", d->help.empty() ? d->message : d->help}}},
            {"artifactChanges", json::array({{{"artifactLocation", {{"uri", sm.path(d->fixits[0].range.file)}}},
                                              {"replacements", replacements}}})}}});
    }
    results.push_back(result);
  }
  json run = {{"tool",
               {{"driver",
                 {{"name", "polc"},
                  {"version", tool_version},
                  {"semanticVersion", tool_version},
                  {"informationUri", std::string(docs_uri) + "/README.md"},
                  {"rules", rules}}}}},
              {"columnKind", "unicodeCodePoints"},
              {"results", results}};
  json sarif = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", json::array({run})}};
  return sarif.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string render(const Engine& engine, Format format, std::string_view tool_version, std::string_view docs_uri) {
  switch (format) {
    case Format::Human: return render_human(engine);
    case Format::Json: return render_json(engine);
    case Format::Sarif: return render_sarif(engine, tool_version, docs_uri);
  }
  return {};
}

}  // namespace polc::diag
