// Stage: launcher (the OS layer). Failure texts (see os_errors.h).
#include "launcher/os/os_errors.h"

namespace polc::launcher::os {

void fail(const std::string& message) { throw Failure(ExitCode::ApplyFailed, message); }

void fail_errno(const std::string& message, int err) { fail(message + ": " + errno_text(err)); }

}  // namespace polc::launcher::os
