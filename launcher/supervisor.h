// Stage: launcher. sbx-exec as the payload's supervisor: it forks the payload, stays outside every
// layer it applies to it, relays the caller's signals, collects refusals from the telemetry
// sources while the payload runs, and at the end kills what is left of the payload's tree and
// exits with the payload's status.
//
// Out of the payload's reach: the payload runs in a session of its own (no controlling terminal,
// its own process group), under a Landlock signal scope (the policy's, or the supervisor guard:
// confine.h) that also keeps it from ptracing anything outside its domain; the supervisor is not
// dumpable (no ptrace, no /proc/PID/mem for its uid); and if the supervisor dies anyway, the
// payload is killed with it (PR_SET_PDEATHSIG). It cannot be made to hang: it waits only in
// poll(2), never on the event reader (event_sink.h), and the end is bounded by deadlines.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "launcher/run_cgroup.h"
#include "launcher/telemetry/reporter.h"
#include "launcher/telemetry/source.h"

namespace polc::launcher {

struct PayloadEnd {
  int exit_code = 0;          // what sbx-exec exits with: the exit status, or 128+N for signal N
  std::optional<int> signal;  // the signal that killed the payload
  bool core_dumped = false;
  bool launched = false;        // the child reached exec (false: refused before, exit code 120-125)
  std::string launch_report;    // what the child wrote through the launch pipe after its state byte
  size_t left_running = 0;      // processes of the tree still alive after the kill deadline
  bool time_limit_hit = false;  // the supervisor killed the run at its wall-clock limit
  LimitHits limit_hits;         // what the run's cgroup counted (zero without limits)
};

// How the payload's first process is made, and what the supervisor does for it before it runs.
struct SpawnPlan {
  // CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUTS: namespaces the child is
  // created in (clone(2)); 0: an ordinary fork. With CLONE_NEWPID the child is PID 1 of the new
  // namespace: it becomes the namespace's init (pid_init.h) and forks the payload.
  int namespaces = 0;
  // With CLONE_NEWUSER: written by the supervisor into /proc/CHILD/{uid_map,gid_map} (and "deny"
  // into setgroups first when `deny_setgroups`) before the child goes on.
  std::string uid_map, gid_map;
  bool deny_setgroups = false;
  // The wall-clock limit: at the deadline the whole run is killed (cgroup.kill).
  std::optional<uint64_t> time_limit_ms;
};

// What the forked child learns from the supervisor before it does anything of its own, and the
// descriptors it keeps.
struct ChildStart {
  int launch_fd = -1;                 // the launch pipe (kLaunchExec / kLaunchRefused)
  int status_fd = -1;                 // with a pid namespace: where init writes the payload's wait status
  int lifeline_fd = -1;               // readable end of a pipe only the supervisor can write: hangs up when it dies
  std::optional<std::string> refuse;  // the supervisor could not set the run up: refuse with this
  std::optional<std::string> tree;    // set when the run's cgroup could not be entered (no limits)
};

// What the forked child reports through the launch pipe before it exec()s or gives up.
inline constexpr char kLaunchExec = 'E';
inline constexpr char kLaunchRefused = 'R';

// Ends sbx-exec the way the payload ended: killed by the same signal (default disposition,
// unblocked, raised; the supervisor is not dumpable, so no core file of its own), which the
// caller's shell reports as 128+N exactly as if the payload had been exec'd in place. Returns the
// exit status to use when the signal does not end the process (it cannot for a stop signal).
int end_like_payload(const PayloadEnd& end);

class Supervisor {
 public:
  // `cgroup`: the run's own group (run_cgroup.h), killed whole at the end; null: the end kills
  // the process group and the reparented children, round after round.
  Supervisor(std::vector<telemetry::Source*> sources, telemetry::Reporter& reporter, const RunCgroup* cgroup)
      : sources_(std::move(sources)), reporter_(reporter), cgroup_(cgroup) {}

  // Forks (or clones into `plan.namespaces`). The child unblocks signals, starts a session, waits
  // until the supervisor has placed it in the run's cgroup (and written its user namespace's maps)
  // and runs `child(start)`, which must not return: it writes kLaunchExec (and its audit line) just
  // before exec (the pipe is close-on-exec) or kLaunchRefused before _exit. The parent supervises
  // until the payload and its tree are gone, killing the run at `plan.time_limit_ms`.
  PayloadEnd run(const SpawnPlan& plan, const std::function<void(const ChildStart& start)>& child);

 private:
  size_t read_sources(bool drain);  // the number of events read
  void sync_sources(int timeout_ms);

  std::vector<telemetry::Source*> sources_;
  telemetry::Reporter& reporter_;
  const RunCgroup* cgroup_;
};

}  // namespace polc::launcher
