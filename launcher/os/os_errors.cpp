// Stage: launcher (the OS layer). Failure texts (see os_errors.h).
#include "launcher/os/os_errors.h"

#include <cstring>

namespace polc::launcher::os {

std::string os_errno_text(int err) {
  std::string text = std::strerror(err);
  if (const char* name = strerrorname_np(err)) {
    text += " (";
    text += name;
    text += ")";
  }
  return text;
}

void fail(const std::string& message) { throw Failure(ExitCode::ApplyFailed, message); }

void fail_errno(const std::string& message, int err) { fail(message + ": " + os_errno_text(err)); }

}  // namespace polc::launcher::os
