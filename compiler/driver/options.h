// Stage: driver. Parsing of the options shared by the verbs, with usage errors that name the
// offending argument.
#pragma once

#include <optional>
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
};

// Parses `args` accepting the common options plus `extra_flags`. On a usage error prints it to
// stderr and returns nullopt. `--help` prints the verb's help and returns nullopt with *help_shown.
std::optional<CommonOptions> parse_options(const Args& args, std::string_view verb,
                                           const std::vector<std::string>& extra_flags, bool& help_shown);

bool has_flag(const CommonOptions& o, std::string_view flag);

}  // namespace polc::driver
