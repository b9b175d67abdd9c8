// Unit tests of the diagnostics engine: registry integrity, positions, rendering.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "compiler/diag/codes.h"
#include "compiler/diag/render.h"

using namespace polc::diag;

TEST_CASE("code registry ids and names are unique and well formed") {
  std::set<std::string_view> ids, names;
  for (const CodeInfo& c : all_codes()) {
    CHECK(ids.insert(c.id).second);
    CHECK(names.insert(c.name).second);
    REQUIRE(c.id.size() == 5);
    CHECK((c.id[0] == 'E' || c.id[0] == 'W'));
    CHECK((c.id[0] == 'W') == (c.severity == Severity::Warning));
    CHECK(!c.summary.empty());
    CHECK(!c.explanation.empty());
  }
  CHECK(find_code("e0201") == &info(Code::UnknownSyscall));
  CHECK(find_code("unknown-syscall") == &info(Code::UnknownSyscall));
  CHECK(find_code("E9999") == nullptr);
}

TEST_CASE("line and column lookups count code points") {
  SourceManager sm;
  const FileId f = sm.add("x.sbx", "ab\n\xc3\xa9z\r\nlast");
  CHECK(sm.line_col(f, 0).line == 1);
  CHECK(sm.line_col(f, 4).column == 2);  // 'z' after a 2-byte é
  CHECK(sm.line_col(f, 4).line == 2);
  CHECK(sm.line_text(f, 2) == "\xc3\xa9z");  // \r stripped
  CHECK(sm.line_text(f, 3) == "last");
  CHECK(sm.line_count(f) == 3);
}

TEST_CASE("human rendering shows location, code, source line, caret, notes and help") {
  SourceManager sm;
  const FileId f = sm.add("p.sbx", "allow sokcet\n");
  Engine e(sm);
  e.report(Code::UnknownSyscall, {f, 6, 12}, "unknown syscall `sokcet`").with_help("did you mean `socket`?");
  const std::string out = render_human(e);
  CHECK(out.find("p.sbx:1:7: error[E0201]: unknown syscall `sokcet`") != std::string::npos);
  CHECK(out.find("1 | allow sokcet\n") != std::string::npos);
  CHECK(out.find("  |       ^^^^^^\n") != std::string::npos);
  CHECK(out.find("= help: did you mean `socket`?") != std::string::npos);
  CHECK(out.find("1 error, 0 warnings") != std::string::npos);
}

TEST_CASE("repeated identical diagnostics are reported once") {
  SourceManager sm;
  const FileId f = sm.add("p.sbx", "x");
  Engine e(sm);
  e.report(Code::UnknownSyscall, {f, 0, 1}, "m").note("n1");
  e.report(Code::UnknownSyscall, {f, 0, 1}, "m").note("n2");
  CHECK(e.diagnostics().size() == 1);
  CHECK(e.diagnostics()[0].notes.size() == 1);
  CHECK(e.error_count() == 1);
}

TEST_CASE("SARIF output is 2.1.0 with rules and regions") {
  SourceManager sm;
  const FileId f = sm.add("p.sbx", "line one\nallow x\n");
  Engine e(sm);
  e.report(Code::UnusedDefinition, {f, 15, 16}, "unused");
  const auto j = nlohmann::json::parse(render_sarif(e, "1.2.3", "file:///usr/share/doc/polc"));
  CHECK(j["version"] == "2.1.0");
  const auto& run = j["runs"][0];
  CHECK(run["tool"]["driver"]["rules"].size() == all_codes().size());
  const auto& res = run["results"][0];
  CHECK(res["ruleId"] == "W0002");
  CHECK(res["level"] == "warning");
  CHECK(run["tool"]["driver"]["rules"][res["ruleIndex"].get<int>()]["id"] == "W0002");
  CHECK(res["locations"][0]["physicalLocation"]["region"]["startLine"] == 2);
  CHECK(res["locations"][0]["physicalLocation"]["region"]["startColumn"] == 7);
}

TEST_CASE("SARIF links the tool and every rule to the installed docs (helpUri, informationUri)") {
  SourceManager sm;
  Engine e(sm);
  const auto j = nlohmann::json::parse(render_sarif(e, "1.2.3", "file:///opt/polc%20docs"));
  const auto& driver = j["runs"][0]["tool"]["driver"];
  CHECK(driver.value("informationUri", "") == "file:///opt/polc%20docs/README.md");
  REQUIRE(driver["rules"].size() == all_codes().size());
  for (const auto& rule : driver["rules"]) {
    // The anchor of the heading `#### E0201` in docs/diagnostics.md.
    std::string anchor = rule["id"].get<std::string>();
    for (char& c : anchor) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK(rule.value("helpUri", "") == "file:///opt/polc%20docs/diagnostics.md#" + anchor);
  }
}

TEST_CASE("diagnostics are sorted by position whatever the reporting order") {
  SourceManager sm;
  const FileId f = sm.add("p.sbx", "0123456789");
  Engine e(sm);
  e.report(Code::UnknownSyscall, {f, 8, 9}, "later");
  e.report(Code::UnknownConstant, {f, 2, 3}, "earlier");
  const auto sorted = e.sorted();
  REQUIRE(sorted.size() == 2);
  CHECK(sorted[0]->message == "earlier");
}
