// Stage: launcher. The run's workspaces, from the supervisor's side: staged before the payload's
// process is made (each an overlay's empty upper and work directories, launcher/os/workspace.h),
// mounted by the payload in its own mount namespace (apply_mounts), and after the run committed
// or discarded as the policy says (workspace_verdict.h), which sbx-exec reports on stderr and in
// the exit line.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "launcher/os/workspace.h"
#include "launcher/os_layer.h"
#include "launcher/workspace_verdict.h"

namespace polc::launcher {

class RunWorkspaces {
 public:
  // Stages every workspace of `plan` under `staging_parent`. Throws Failure (nothing is left
  // staged when one fails).
  RunWorkspaces(const OsPlan& plan, const std::string& staging_parent);
  ~RunWorkspaces();  // discards what was neither committed nor discarded (a launch refused)
  RunWorkspaces(const RunWorkspaces&) = delete;
  RunWorkspaces& operator=(const RunWorkspaces&) = delete;

  const std::vector<os::PreparedWorkspace>& prepared() const { return prepared_; }

  // After the payload and every process that had the overlays mounted are gone: commits or
  // discards each workspace. Returns the exit line's "workspaces" array; `said` gets one line per
  // workspace for stderr ("sbx-exec: workspace /w: committed: 3 created, ..." or "discarded: why").
  nlohmann::json finish(const RunObservation& run, std::string& said);

 private:
  std::vector<os::PreparedWorkspace> prepared_;
  bool finished_ = false;
};

}  // namespace polc::launcher
