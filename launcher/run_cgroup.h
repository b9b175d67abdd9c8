// Stage: launcher. A cgroup v2 group of the run's own, beneath the supervisor's: the payload's
// process enters it before it confines itself, every process it ever starts is in it whatever
// session or parent it takes, and at the end writing cgroup.kill (Linux 5.14) kills them all at
// once. Rounds of kill(2) over the supervisor's children cannot catch a payload that keeps
// forking and exiting; the cgroup can. Without a writable cgroup2 hierarchy (not root, a
// read-only /sys/fs/cgroup in a container) the supervisor falls back to those rounds and says so.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "compiler/posix/unique_fd.h"

namespace polc::launcher {

class RunCgroup {
 public:
  // nullptr, with `why_not` set, when no group can be made here.
  static std::unique_ptr<RunCgroup> create(std::string& why_not);
  ~RunCgroup();  // removes the group (once empty)
  RunCgroup(const RunCgroup&) = delete;
  RunCgroup& operator=(const RunCgroup&) = delete;

  // In the payload's process, before anything else: moves the calling process into the group
  // (through a descriptor the supervisor opened: close-on-exec, never the payload's). False on
  // failure.
  bool enter() const;
  // Kills every process in the group and waits, at most `timeout_ms`, until it is empty. Returns
  // how many processes were still in it at the deadline.
  size_t kill_all(int timeout_ms) const;
  // Freezes (true) or thaws (false) every process in the group (cgroup.freeze): Ctrl-Z stops the
  // whole tree, not only the payload's process group. False when the kernel refused.
  bool freeze(bool frozen) const;
  const std::string& path() const { return path_; }

 private:
  RunCgroup(std::string path, UniqueFd procs) : path_(std::move(path)), procs_(std::move(procs)) {}
  std::string path_;
  UniqueFd procs_;  // cgroup.procs, opened for writing by the supervisor
};

}  // namespace polc::launcher
