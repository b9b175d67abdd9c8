// Stage: launcher (the OS layer). How the OS layer reports a failure: a launcher::Failure (the one
// error type of sbx-exec, launcher/errors.h), so that sbx-exec's main turns it into its one error
// line and exit code. Every function of this library either does all it says or throws.
#pragma once

#include <string>

#include "launcher/errors.h"

namespace polc::launcher::os {

// A layer that could not be applied (ExitCode::ApplyFailed), "<what>: <message>".
[[noreturn]] void fail(const std::string& message);
// As fail(), with ": " and the text of `err` appended.
[[noreturn]] void fail_errno(const std::string& message, int err);

}  // namespace polc::launcher::os
