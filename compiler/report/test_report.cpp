// Stage: report. Text, JSON and JUnit reports of `polc test` (see test_report.h).
#include "compiler/report/test_report.h"

#include <nlohmann/json.hpp>

namespace polc::report {

namespace {

using verify::ExpectationResult;
using verify::TestResult;

// The first line of a rule, trimmed, as `polc eval` shows the rules that decide.
std::string rule_line(const diag::SourceManager& sources, const ir::Origin& o) {
  if (!o.range.valid()) return "";
  std::string line(sources.line_text(o.range.file, sources.line_col(o.range.file, o.range.begin).line));
  line.erase(0, line.find_first_not_of(" \t"));
  line.erase(line.find_last_not_of(" \t\r") + 1);
  return line;
}

struct Counts {
  size_t tests = 0, tests_failed = 0, expectations = 0, expectations_failed = 0;
};

Counts count(const std::vector<TestResult>& results) {
  Counts c;
  for (const TestResult& t : results) {
    ++c.tests;
    c.tests_failed += !t.passed();
    for (const ExpectationResult& e : t.expectations) {
      ++c.expectations;
      c.expectations_failed += !e.passed;
    }
  }
  return c;
}

std::string plural(size_t n, const std::string& word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

// A failed expectation's lines, indented by `indent`: where and as written, what went wrong, and
// the statements that decide it.
std::string failure_lines(const TestRun& run, const ExpectationResult& e, const std::string& indent) {
  const ir::Origin& at = e.expectation->origin;
  std::string s = indent + at.where + ": " + run.sources.one_line(at.range) + "\n";
  s += indent + "  " + verify::failure_text(e) + "\n";
  if (!e.deciding_role.empty()) s += indent + "  " + e.deciding_role + (e.deciding.empty() ? "" : ":") + "\n";
  for (const ir::Origin& o : e.deciding) {
    const std::string line = rule_line(run.sources, o);
    s += indent + "    " + o.where + (line.empty() ? "" : ": " + line) + "\n";
  }
  return s;
}

}  // namespace

std::string test_report_text(const TestRun& run) {
  std::string s;
  for (const TestResult& t : run.results) {
    s += (t.passed() ? "PASS  " : "FAIL  ") + t.test->name + "\n";
    for (const ExpectationResult& e : t.expectations)
      if (!e.passed) s += failure_lines(run, e, "  ");
  }
  const Counts c = count(run.results);
  if (c.tests == 0) return "no tests in policy " + run.policy.name + "\n";
  s += "\n" + plural(c.tests, "test") + ": " + std::to_string(c.tests - c.tests_failed) + " passed, " +
       std::to_string(c.tests_failed) + " failed (" + plural(c.expectations, "expectation") + ", " +
       std::to_string(c.expectations_failed) + " failed)\n";
  return s;
}

std::string test_report_json(const TestRun& run) {
  using J = nlohmann::ordered_json;
  const Counts c = count(run.results);
  J doc;
  doc["policy"] = run.policy.name;
  doc["passed"] = c.tests_failed == 0;
  doc["summary"] = {{"tests", c.tests},
                    {"tests_failed", c.tests_failed},
                    {"expectations", c.expectations},
                    {"expectations_failed", c.expectations_failed}};
  doc["tests"] = J::array();
  for (const TestResult& t : run.results) {
    J test = {
        {"name", t.test->name}, {"at", t.test->origin.where}, {"passed", t.passed()}, {"expectations", J::array()}};
    for (const ExpectationResult& e : t.expectations) {
      J x = {{"at", e.expectation->origin.where},
             {"source", run.sources.one_line(e.expectation->origin.range)},
             {"query", e.query},
             {"expected", e.expected},
             {"decided", e.decided},
             {"passed", e.passed}};
      if (!e.passed) {
        x["message"] = verify::failure_text(e);
        if (e.arch) x["arch"] = arch::name(*e.arch);
        if (!e.witness.empty()) x["witness"] = e.witness;
        x["why"] = e.deciding_role;
        x["deciding"] = J::array();
        for (const ir::Origin& o : e.deciding)
          x["deciding"].push_back({{"at", o.where}, {"source", rule_line(run.sources, o)}});
      }
      test["expectations"].push_back(std::move(x));
    }
    doc["tests"].push_back(std::move(test));
  }
  return doc.dump(2) + "\n";
}

std::string xml_escape(std::string_view text, bool attribute) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&': out += "&amp;"; continue;
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;
      case '"': out += attribute ? "&quot;" : "\""; continue;
      case '\'': out += attribute ? "&apos;" : "'"; continue;
      case '\n': out += attribute ? "&#10;" : "\n"; continue;
      case '\r': out += "&#13;"; continue;
      case '\t': out += attribute ? "&#9;" : "\t"; continue;
      default: break;
    }
    // Other C0 control characters: XML 1.0 cannot carry them, not even as character references.
    // (Source text is valid UTF-8, E0004, so multi-byte sequences pass through.)
    if (c < 0x20) out += "\xEF\xBF\xBD";
    else out += static_cast<char>(c);
  }
  return out;
}

std::string test_report_junit(const TestRun& run) {
  const Counts c = count(run.results);
  const std::string suite = xml_escape(run.policy.name, true);
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<testsuites name=\"polc test\" tests=\"" + std::to_string(c.tests) + "\" failures=\"" +
       std::to_string(c.tests_failed) + "\" errors=\"0\" time=\"0\">\n";
  s += "  <testsuite name=\"" + suite + "\" tests=\"" + std::to_string(c.tests) + "\" failures=\"" +
       std::to_string(c.tests_failed) + "\" errors=\"0\" skipped=\"0\" time=\"0\">\n";
  for (const TestResult& t : run.results) {
    const diag::SourceRange& r = t.test->origin.range;
    s += "    <testcase name=\"" + xml_escape(t.test->name, true) + "\" classname=\"" + suite + "\"";
    if (r.valid())
      s += " file=\"" + xml_escape(run.sources.path(r.file), true) + "\" line=\"" +
           std::to_string(run.sources.line_col(r.file, r.begin).line) + "\"";
    s += " time=\"0\"";
    if (t.passed()) {
      s += "/>\n";
      continue;
    }
    // One failure element per test case (most CI readers show only the first): its message is the
    // first failed expectation, its text every failed expectation.
    const ExpectationResult* first = nullptr;
    std::string body;
    size_t failed = 0;
    for (const ExpectationResult& e : t.expectations) {
      if (e.passed) continue;
      if (!first) first = &e;
      ++failed;
      body += failure_lines(run, e, "");
    }
    std::string message = first->expectation->origin.where + ": " + verify::failure_text(*first);
    if (failed > 1) message += " (and " + std::to_string(failed - 1) + " more)";
    s += ">\n      <failure message=\"" + xml_escape(message, true) + "\" type=\"E0505\">" + xml_escape(body, false) +
         "</failure>\n    </testcase>\n";
  }
  s += "  </testsuite>\n</testsuites>\n";
  return s;
}

}  // namespace polc::report
