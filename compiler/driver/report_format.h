// Stage: driver. `--format` for verbs whose stdout carries a report of their own (`polc test`,
// `polc diff`): there it names the report's format, not the diagnostics' (those go to stderr as
// text), so it is taken out of the arguments before the shared options are parsed.
#pragma once

#include <optional>
#include <string>

#include "compiler/driver/commands.h"

namespace polc::driver {

struct FormatOption {
  std::optional<std::string> value;
  Args rest;  // the other arguments, in order
  bool missing_value = false;
};

FormatOption take_format(const Args& args);

}  // namespace polc::driver
