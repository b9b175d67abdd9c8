// Stage: driver. The runs of `polc learn`: each workload run under the recorder (launcher/record),
// merged into one Recording, with the policy's decisions applied when learning against one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/learn/recording.h"

namespace polc::driver {

struct LearnRuns {
  // Each workload: an argv (`-- CMD ARGS`), or `/bin/sh -c CMD` for each `--run 'CMD'`.
  std::vector<std::vector<std::string>> commands;
  double timeout_seconds = 0;
  // When set, the recorder applies the policy's decisions: refused calls fail with the policy's
  // errno (EACCES for paths and endpoints) and killed ones kill the process, as under sbx-exec;
  // with `let_refused_through` they are only marked, and the run goes on as if allowed.
  const ir::Policy* against = nullptr;
  bool let_refused_through = false;
};

// Runs every workload in turn, reporting each run on stderr. nullopt (with the reason on stderr)
// when one could not be started.
std::optional<learn::Recording> record_runs(const LearnRuns& runs);

}  // namespace polc::driver
