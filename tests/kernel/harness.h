// Runs one probe in a forked child, with or without a seccomp filter, and reports what happened.
//
// The child opens its pty and pipe at the fixed descriptors of probes.h, sets NO_NEW_PRIVS,
// installs the filter (unless it is the baseline run), makes exactly one raw system call and
// stores the result in a shared page before exiting. The baseline run (no filter) measures the
// kernel's own answer, so that a test can tell "the filter refused" from "the kernel refused".
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "tests/kernel/probes.h"

namespace kernel_test {

struct Outcome {
  enum class Kind {
    returned,      // the call returned: `ret`, and `err` when ret == -1
    signaled,      // the child died of `signal` before the call returned
    exited,        // the child exited with `status` without reporting (a harness bug)
    setup_failed,  // preparing the child failed at `setup_step` with `err`
  };
  Kind kind = Kind::exited;
  long ret = 0;
  int err = 0;
  int signal = 0;
  int status = 0;
  std::string setup_step;

  bool failed_with(int e) const { return kind == Kind::returned && ret == -1 && err == e; }
  bool killed_by(int sig) const { return kind == Kind::signaled && signal == sig; }
};

// "returned 0", "failed with EPERM", "killed by SIGSYS", ...
std::string describe(const Outcome& outcome);

// Runs `probe` in a child under `filter`, or under no filter when `filter` is null.
Outcome run_probe(const Probe& probe, const std::vector<sock_filter>* filter);

}  // namespace kernel_test
