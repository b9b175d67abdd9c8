// Stage: driver. Parsing of the options shared by the verbs, with usage errors that name the
// offending argument.
#pragma once

#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "compiler/diag/render.h"
#include "compiler/driver/commands.h"

namespace polc::driver {

struct CommonOptions {
  diag::Format format = diag::Format::Human;
  bool werror = false;
  std::string stdlib_dir;
  std::vector<std::string> files;
  // Verb-specific flags that were accepted (e.g. "--check").
  std::vector<std::string> flags;
  // Verb-specific options with a value, in command-line order (repeatable): {"-o", "dist"}.
  std::vector<std::pair<std::string, std::string>> values;
};

// Parses `args` accepting the common options plus `extra_flags`. A flag written with a trailing
// "=" (e.g. "-o=", "--arch=") takes a value, given as `-o DIR` or `-o=DIR`. On a usage error prints it to
// stderr and returns nullopt. `--help` prints the verb's help and returns nullopt with *help_shown.
std::optional<CommonOptions> parse_options(const Args& args, std::string_view verb,
                                           const std::vector<std::string>& extra_flags, bool& help_shown);

bool has_flag(const CommonOptions& o, std::string_view flag);
// The last value given for `option` (e.g. "-o"), or nullopt.
std::optional<std::string> value_of(const CommonOptions& o, std::string_view option);
// Every value given for `option`, in order.
std::vector<std::string> values_of(const CommonOptions& o, std::string_view option);

}  // namespace polc::driver
