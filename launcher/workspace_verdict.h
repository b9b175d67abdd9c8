// Stage: launcher. Whether a workspace's changes are committed when the run ends, as its policy
// says (`workspace PATH discard on kill, failure, refusal(LAYERS)`; all three by default):
// - kill: the payload ended by a signal: the policy's seccomp kill, the OOM killer, the time
//   limit, a signal from anyone;
// - failure: it exited with a nonzero status;
// - refusal: the supervisor counted a refusal in a counted layer (the listed ones; none listed:
//   every layer this run has), or cannot know: a counted layer whose telemetry this run does not
//   read (audit unavailable, nftables applied by someone else, no --proxy-log), or records the
//   kernel lost. Not knowing discards, and the reason says so (fail closed).
// A pure function of what the supervisor observed, so that each rule is tested on its own.
#pragma once

#include <optional>
#include <map>
#include <string>

#include "launcher/os/os_spec.h"
#include "launcher/telemetry/reporter.h"

namespace polc::launcher {

struct RunObservation {
  std::optional<int> signal;  // the payload's end: killed by this signal
  int exit_code = 0;          // else its exit status
  bool time_limit_hit = false;
  uint64_t oom_kills = 0;
  size_t left_running = 0;   // processes of the run still alive after the supervisor's kill
  telemetry::Counts counts;  // refusals by layer, and records lost
  // The layers this run has (a refusal could happen there), each with why its refusals are not
  // known when they are not ("" when the supervisor reads them).
  std::map<std::string, std::string> layers;
};

struct WorkspaceVerdict {
  bool commit = false;
  std::string reason;  // why it is discarded: "the payload was killed by signal 9 (the time limit)"
};

WorkspaceVerdict decide_workspace(const os::Workspace& workspace, const RunObservation& run);

}  // namespace polc::launcher
