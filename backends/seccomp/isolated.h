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
// A job that can run in the isolation worker (start_isolation_worker): a function of this
// program and its whole input as bytes. The worker is a fork of this process, so the function's
// address means the same there; the input is all the job may read of the caller's memory.
using WorkerFunction = std::optional<Bytes> (*)(const Bytes& input, std::string* error);

class IsolatedJob {
 public:
  // Forks a child that runs `work` at once (the child sees the caller's memory as it is now, so
  // what `work` references need only live until this returns). On failure to fork, the job is
  // already finished and finish() returns the error.
  IsolatedJob(const std::function<std::optional<Bytes>(std::string*)>& work, unsigned seconds);
  // Runs `function(input)` in a process of its own forked by the isolation worker, when one was
  // started: that worker is small, so the fork costs a fraction of forking this process (page
  // tables and copy-on-write faults grow with the caller's memory, tens of MB once Z3 is set
  // up). Without a worker, or when it is gone, forks this process as the other constructor does.
  // The guarantees are the same either way: the deadline, and a crash or hang as an error.
  IsolatedJob(WorkerFunction function, Bytes input, unsigned seconds);
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
  void start_forked(const std::function<std::optional<Bytes>(std::string*)>& work);
  std::optional<Bytes> finish_from_worker(std::string* error);

  pid_t pid_ = -1;  // our own child, or the worker's process running this job once it is known
  bool via_worker_ = false;
  bool finished_ = false;
  UniqueFd fd_;  // the read end of the child's pipe
  std::string received_;  // what the worker's process sent so far
  int64_t deadline_ms_ = 0;
  unsigned seconds_ = 0;
  std::string start_error_;
};

// Forks the isolation worker: a small process that forks one process per WorkerFunction job.
// Call it first thing in main, before any thread starts and before the process grows; it lives
// until this process exits (it sees the end of its socket then). Calling it again does nothing.
void start_isolation_worker();

// Runs `work` in a forked child and returns its bytes (IsolatedJob, started and finished).
std::optional<Bytes> run_isolated(const std::function<std::optional<Bytes>(std::string*)>& work, unsigned seconds,
                                  std::string* error);

// The deadline polc gives libseccomp for one program (generous: ASan builds are ~10x slower).
inline constexpr unsigned kLibseccompSeconds = 60;

}  // namespace polc::backends::seccomp
