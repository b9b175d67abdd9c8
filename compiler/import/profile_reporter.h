// Stage: import. Reports diagnostics about a profile at a JSON path: the message names the path
// and the range points into the profile's text. Caps how many are reported, because each report
// rescans the text (see json_locator.h) and a hostile profile could have millions of bad values.
#pragma once

#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/import/oci_profile.h"

namespace polc::import {

class ProfileReporter {
 public:
  static constexpr size_t kMaxReports = 100;

  ProfileReporter(diag::Engine& engine, diag::FileId file) : engine_(engine), file_(file) {}

  // Reports `code` at `path` (at its key when `at_key`), with "`PATH`: " before the message when
  // the path is not the root. Past the cap the diagnostic goes nowhere (errors still count: the
  // first ones are in the engine).
  diag::Diagnostic& report(diag::Code code, const JsonPath& path, const std::string& message, bool at_key = false);

  // The range of `path` in the profile, for notes and fix-its.
  diag::SourceRange range(const JsonPath& path, bool at_key = false) const;

  diag::Engine& engine() { return engine_; }
  diag::FileId file() const { return file_; }

 private:
  diag::Engine& engine_;
  diag::FileId file_;
  size_t reports_ = 0;
  diag::Diagnostic sink_{};
};

}  // namespace polc::import
