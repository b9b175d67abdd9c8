// Stage: launcher. Talks to the kernel's Landlock: the supported ABI, and building and enforcing
// the ruleset of a plan.
#pragma once

#include <string>
#include <vector>

#include "launcher/landlock_policy.h"

namespace polc::launcher {

// The kernel's Landlock ABI version; 0 when Landlock is not built in or disabled at boot.
int landlock_kernel_abi();

// What a path rule becomes on this machine.
struct PathProbe {
  enum Kind { Directory, File, Missing } kind = Missing;
  uint64_t access = 0;  // the rights that will be granted (file rights only for a non-directory)
};

// Looks at `rule.path` as Landlock would (following symlinks): dry-run uses this to show what a
// run would do; apply uses the same rule on an O_PATH descriptor.
PathProbe probe_path(const FsRule& rule);

struct LandlockOutcome {
  // Path rules not added: the path does not exist, or it is not a directory and the rule has
  // only directory rights. Either way the rule could only have granted access.
  std::vector<std::string> skipped_paths;
};

// Creates the ruleset of `plan` (the layers it applies), adds every rule, and restricts the
// calling thread with it. Requires no_new_privs (or CAP_SYS_ADMIN). Throws Failure(ApplyFailed).
// Does nothing when the plan applies no layer.
LandlockOutcome apply_landlock(const LandlockPolicy& policy, const LandlockPlan& plan);

}  // namespace polc::launcher
