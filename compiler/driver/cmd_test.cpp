// Stage: driver. `polc test FILE`: compiles a policy and runs its `test` blocks with the reference
// semantics (verify::run_tests), printing the results as text, JSON or JUnit XML.
#include <iostream>

#include "compiler/driver/output_file.h"
#include "compiler/driver/report_format.h"
#include "compiler/driver/session.h"
#include "compiler/report/test_report.h"

namespace polc::driver {

namespace {

enum class ReportFormat : uint8_t { Text, Json, Junit };

}  // namespace

int cmd_test(const Args& args) {
  const FormatOption format = take_format(args);
  bool help = false;
  auto o = parse_options(format.rest, "test", {"-o="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  auto usage = [](const std::string& msg) {
    std::cerr << "polc test: " << msg << "\n(see `polc test --help`)\n";
    return kExitUsage;
  };
  ReportFormat report_format = ReportFormat::Text;
  if (format.missing_value) return usage("--format needs a value: text, json or junit");
  if (format.value) {
    if (*format.value == "text") report_format = ReportFormat::Text;
    else if (*format.value == "json") report_format = ReportFormat::Json;
    else if (*format.value == "junit") report_format = ReportFormat::Junit;
    else return usage("unknown format `" + *format.value + "`: use text, json or junit");
  }
  if (o->files.size() != 1) return usage("give exactly one policy file");
  const auto output = value_of(*o, "-o");
  if (output && output->empty()) return usage("-o needs a file name");

  diag::SourceManager sources;
  diag::Engine engine(sources);
  const auto policy = analyze_file(engine, o->files[0], *o);
  if (const int status = report(engine, *o, /*to_stderr=*/true); status != kExitOk) return status;
  if (!policy) {
    std::cerr << "polc test: `" << o->files[0] << "` is a module; only a policy's tests can be run\n";
    return kExitUsage;
  }

  const std::vector<verify::TestResult> results = verify::run_tests(*policy);
  const report::TestRun run{*policy, results, sources};
  const std::string text = report_format == ReportFormat::Json    ? report::test_report_json(run)
                           : report_format == ReportFormat::Junit ? report::test_report_junit(run)
                                                                  : report::test_report_text(run);
  if (output) {
    if (auto error = write_file_atomically(*output, text)) {
      std::cerr << "polc test: cannot write " << *output << ": " << *error << "\n";
      return kExitErrors;
    }
  } else {
    std::cout << text;
  }
  for (const verify::TestResult& t : results)
    if (!t.passed()) return kExitErrors;
  return kExitOk;
}

}  // namespace polc::driver
