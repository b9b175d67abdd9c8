// Stage: launcher. Exit codes and the one error type every step of sbx-exec reports failures with.
//
// sbx-exec must never run a payload less confined than its bundle says, so every step either
// succeeds completely or throws a Failure; main() turns it into one `sbx-exec: error: ...` line,
// an audit record and the exit code below. The codes are part of the launcher's interface
// (docs/launcher.md, --help): they are never renumbered.
#pragma once

#include <stdexcept>
#include <string>

namespace polc::launcher {

enum class ExitCode : int {
  Ok = 0,
  // 120..125 sit above the codes programs commonly use and below the shell's own 126/127 and
  // the 128+N of a signal death, so a caller can tell the launcher's refusals from the payload's
  // own exit status (which passes through unchanged).
  Usage = 120,          // bad command line
  BundleInvalid = 121,  // manifest or file missing, malformed, tampered, unlisted, not for this arch,
                        // or not trusted (signatures, threshold, expiry, rollback, the trust file)
  KernelLacks = 122,    // the kernel lacks a feature the bundle requires (Landlock ABI, seccomp)
  ApplyFailed = 123,    // a confinement layer could not be applied
  NetworkFailed = 124,  // namespace or nftables setup failed
  AuditFailed = 125,    // the audit line could not be written (no unaudited runs)
  CannotExecute = 126,  // as the shell: the command exists but cannot be executed
  NotFound = 127,       // as the shell: the command was not found
};

// A refusal: what failed, in one line without the "sbx-exec: error: " prefix.
class Failure : public std::runtime_error {
 public:
  Failure(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// "strerror(errno)" in the form the messages use, e.g. "No such file or directory (ENOENT)".
std::string errno_text(int err);

// The exit codes with one line each, for --help and tests; stable wording.
const char* exit_code_table();

}  // namespace polc::launcher
