// Stage: backends/seccomp. Runs libseccomp work in a child process with a deadline. libseccomp
// 2.5.4 can loop forever while adding some rule sets (polc shapes its rules to avoid the cases it
// knows, see as_masked); a build must fail with a diagnostic rather than hang a CI job, and a
// crash inside the library must not take polc down with a half-written output.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace polc::backends::seccomp {

using Bytes = std::vector<uint8_t>;

// Runs `work` in a forked child and returns its bytes, or nullopt with `error` set: the work's own
// error, or that the child did not finish within `seconds`, or died.
std::optional<Bytes> run_isolated(const std::function<std::optional<Bytes>(std::string*)>& work, unsigned seconds,
                                  std::string* error);

// The deadline polc gives libseccomp for one program (generous: ASan builds are ~10x slower).
inline constexpr unsigned kLibseccompSeconds = 60;

}  // namespace polc::backends::seccomp
