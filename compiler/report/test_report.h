// Stage: report. The reports of `polc test`: readable text, JSON, and JUnit XML for CI. All three
// are deterministic (no timestamps; durations are a fixed 0), so they can be compared and cached.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/source_manager.h"
#include "compiler/ir/ir.h"
#include "compiler/verify/run_tests.h"

namespace polc::report {

struct TestRun {
  const ir::Policy& policy;
  const std::vector<verify::TestResult>& results;
  const diag::SourceManager& sources;  // for the expectations' and rules' source text
};

// One line per test (PASS/FAIL); under each failed one, every failed expectation as written, what
// the policy decides instead and the statements that decide it; a summary line.
std::string test_report_text(const TestRun& run);
std::string test_report_json(const TestRun& run);
// testsuites > testsuite (the policy) > testcase (one per `test` block), with one failure
// element per failed test naming each failed expectation and its file:line.
std::string test_report_junit(const TestRun& run);

// Escapes text for XML 1.0 element content, or for an attribute value (`attribute`: also quotes
// and line breaks). Characters XML 1.0 cannot carry at all become U+FFFD.
std::string xml_escape(std::string_view text, bool attribute);

}  // namespace polc::report
