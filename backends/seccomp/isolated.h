// Stage: backends/seccomp. Runs libseccomp work in a child process with a deadline. libseccomp
// 2.5.4 can loop forever while adding some rule sets (polc shapes its rules to avoid the cases it
// knows, see as_masked); a build must fail with a diagnostic rather than hang a CI job, and a
// crash inside the library must not take polc down with a half-written output.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compiler/posix/unique_fd.h"

namespace polc::backends::seccomp {

using Bytes = std::vector<uint8_t>;

// One piece of libseccomp work running in a forked child. Several can run at once (a program per
// arch family, the OCI profile's compile per family): on a large policy each takes a good part of
// a second, and they are independent. Destroying a job that was not finished kills and reaps its
// child, so an early return never leaves one behind.
class IsolatedJob {
 public:
  // Forks a child that runs `work` at once (the child sees the caller's memory as it is now, so
  // what `work` references need only live until this returns). On failure to fork, the job is
  // already finished and finish() returns the error.
  IsolatedJob(const std::function<std::optional<Bytes>(std::string*)>& work, unsigned seconds);
  ~IsolatedJob();
  IsolatedJob(IsolatedJob&& other) noexcept;
  IsolatedJob& operator=(IsolatedJob&&) = delete;
  IsolatedJob(const IsolatedJob&) = delete;
  IsolatedJob& operator=(const IsolatedJob&) = delete;

  // Waits for the child (at most until the deadline set when it started) and returns its bytes,
  // or nullopt with `error` set: the work's own error, or that the child did not finish within
  // its seconds, or died. Call once.
  std::optional<Bytes> finish(std::string* error);

 private:
  pid_t pid_ = -1;
  UniqueFd fd_;  // the read end of the child's pipe
  int64_t deadline_ms_ = 0;
  unsigned seconds_ = 0;
  std::string start_error_;
};

// Runs `work` in a forked child and returns its bytes (IsolatedJob, started and finished).
std::optional<Bytes> run_isolated(const std::function<std::optional<Bytes>(std::string*)>& work, unsigned seconds,
                                  std::string* error);

// The deadline polc gives libseccomp for one program (generous: ASan builds are ~10x slower).
inline constexpr unsigned kLibseccompSeconds = 60;

}  // namespace polc::backends::seccomp
