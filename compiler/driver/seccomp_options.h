// Stage: driver. The seccomp code generator options of `polc build` and `polc check`:
// `--seccomp-codegen polc|libseccomp` and `--syscall-mix FILE`.
#pragma once

#include <optional>
#include <string>

#include "compiler/driver/options.h"

namespace polc::driver {

// Selects the generator (backends::seccomp::set_codegen) from the options; without them, polc's
// own generator with no mix. Returns a usage message for an unknown generator, an unreadable or
// malformed mix, or a mix given to libseccomp (which cannot use one).
std::optional<std::string> apply_seccomp_options(const CommonOptions& options);

}  // namespace polc::driver
