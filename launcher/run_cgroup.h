// Stage: launcher. The run's own cgroup: the supervisor places the payload's process in it before
// that process confines itself, every process it ever starts is in it whatever session or parent
// it takes, and at the end writing cgroup.kill (Linux 5.14) kills them all at once. Rounds of
// kill(2) over the supervisor's children cannot catch a payload that keeps forking and exiting;
// the cgroup can. Without a writable cgroup2 hierarchy (not root, a read-only /sys/fs/cgroup in a
// container) and without limits, the supervisor falls back to those rounds and says so.
//
// The policy's limits (os.json: memory, memory_swap, tasks, cpu) are the group's: memory.max,
// memory.swap.max, pids.max, cpu.max. A controller can only be used in a group whose parent
// enables it in cgroup.subtree_control, and cgroup v2 forbids that in a group that holds processes
// (the "no internal processes" rule): the supervisor's own group always does (the supervisor, often
// the caller's shell). So a run with limits gets its group beneath a process-free parent of polc's
// own at the hierarchy's root, `polc/run-PID`, with the controllers enabled in the root's and in
// `polc`'s subtree_control (the root is exempt from the rule; under systemd it enables cpu, memory
// and pids already). A machine that still mounts a controller on a cgroup v1 hierarchy (the
// "hybrid" layout) has it nowhere in cgroup2: there the limit is set in a v1 group `polc-run-PID`
// beneath the supervisor's own v1 group (v1 has no such rule), while cgroup.kill stays cgroup2's.
// A requested limit whose controller is in neither is refused (fail closed, exit 122), as is one
// the kernel does not take (123).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/posix/unique_fd.h"
#include "launcher/os/os_spec.h"

namespace polc::launcher {

// Where each controller a policy's limits need would come from on this machine, decided without
// changing anything (prepare and --dry-run).
struct CgroupPlan {
  struct Controller {
    std::string name;       // "memory", "pids", "cpu"
    std::string hierarchy;  // "cgroup2" or "cgroup v1"
    std::string mount;      // where that hierarchy is mounted
  };
  std::vector<Controller> controllers;  // those the limits need, in that order
  std::optional<std::string> refusal;   // set when one is unavailable: the launch is refused (122)
  bool needed() const { return !controllers.empty() || refusal.has_value(); }
};
CgroupPlan plan_cgroup(const os::Limits& limits);

// Counters the kernel keeps for the group's limits, read at the end of the run.
struct LimitHits {
  uint64_t oom_kills = 0;  // memory.events oom_kill (v1: memory.oom_control oom_kill)
  uint64_t tasks_max = 0;  // pids.events max: forks refused by pids.max
};

class RunCgroup {
 public:
  // The run's group with `limits` set in it (none set: nullptr). Without limits: nullptr, with
  // `why_not` set, when no group can be made here. With limits, anything that stops one of them
  // from being set throws Failure (122 when a controller is unavailable, 123 otherwise).
  static std::unique_ptr<RunCgroup> create(const os::Limits* limits, std::string& why_not);
  ~RunCgroup();  // removes the groups (once empty)
  RunCgroup(const RunCgroup&) = delete;
  RunCgroup& operator=(const RunCgroup&) = delete;

  // In the supervisor, before the forked child runs anything of its own: moves `pid` into the
  // group (and into the v1 groups that hold limits). False, with `why` set, on failure.
  bool place(pid_t pid, std::string& why) const;
  // Kills every process in the group and waits, at most `timeout_ms`, until it is empty. Returns
  // how many processes were still in it at the deadline.
  size_t kill_all(int timeout_ms) const;
  // Writes cgroup.kill without waiting (the time limit: the supervisor's loop reaps what dies).
  void kill_now() const;
  // Freezes (true) or thaws (false) every process in the group (cgroup.freeze): Ctrl-Z stops the
  // whole tree, not only the payload's process group. False when the kernel refused.
  bool freeze(bool frozen) const;
  LimitHits hits() const;
  // True when the group holds limits (what the audit line calls the cgroup_limits layer).
  bool limited() const { return limited_; }
  const std::string& path() const { return path_; }
  // Every limit set, as "memory.max=536870912" and the like, in the order set (for the audit line).
  const std::vector<std::string>& settings() const { return settings_; }

 private:
  RunCgroup(std::string path, UniqueFd procs) : path_(std::move(path)), procs_(std::move(procs)) {}
  std::string path_;
  UniqueFd procs_;  // cgroup.procs, opened for writing by the supervisor
  bool limited_ = false;
  std::string memory_dir_, pids_dir_;  // where the memory and pids counters live ("" when unlimited)
  bool memory_v1_ = false;
  std::vector<std::string> v1_groups_;  // cgroup v1 groups made for limits, removed at the end
  std::vector<std::string> settings_;
};

}  // namespace polc::launcher
