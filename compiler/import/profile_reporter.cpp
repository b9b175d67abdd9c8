// Stage: import. Diagnostics at JSON paths of a profile.
#include "compiler/import/profile_reporter.h"

#include "compiler/import/json_locator.h"

namespace polc::import {

diag::SourceRange ProfileReporter::range(const JsonPath& path, bool at_key) const {
  return locate(file_, engine_.sources().contents(file_), path, at_key);
}

diag::Diagnostic& ProfileReporter::report(diag::Code code, const JsonPath& path, const std::string& message,
                                          bool at_key) {
  if (reports_ >= kMaxReports) {
    sink_ = diag::Diagnostic{};
    return sink_;
  }
  ++reports_;
  const std::string text = path.empty() ? message : "`" + to_string(path) + "`: " + message;
  return engine_.report(code, range(path, at_key), text);
}

}  // namespace polc::import
