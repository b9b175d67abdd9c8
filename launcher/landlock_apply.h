// Stage: launcher. Talks to the kernel's Landlock: the supported ABI, and building and enforcing
// the ruleset of a plan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "launcher/errors.h"
#include "launcher/landlock_explain.h"
#include "launcher/landlock_policy.h"

namespace polc::launcher {

// The kernel's Landlock ABI version; 0 when Landlock is not built in or disabled at boot.
int landlock_kernel_abi();

// What a run would find on this host for the filesystem layer's paths, found by the same walks
// apply_landlock makes (rule_paths.h), for --dry-run.
struct PathCheck {
  std::vector<std::string> missing;          // rules skipped: the path names nothing
  std::vector<std::string> only_dir_rights;  // rules skipped: not a directory, only directory rights
  std::vector<SkippedRule> skipped;          // both, in the rules' order, with their rights
  // The refusal (exit 123) a run would meet: a rule path through a link the sandbox could have
  // planted, a deny overlapping a grant on this host, a path that cannot be opened.
  std::optional<Failure> refusal;
};
PathCheck check_rule_paths(const FsLayer& fs);

struct LandlockOutcome {
  // Path rules not added: the path does not exist, or it is not a directory and the rule has
  // only directory rights. Either way the rule could only have granted access.
  std::vector<std::string> skipped_paths;
  std::vector<SkippedRule> skipped;  // the same rules, with their rights and why
};

// Creates the ruleset of `plan` (the layers it applies), adds every rule, and restricts the
// calling thread with it, passing `restrict_flags` (the ABI 7 logging flags, landlock_uapi.h, or
// 0). Requires no_new_privs (or CAP_SYS_ADMIN). Throws Failure(ApplyFailed). Does nothing when
// the plan applies no layer. `strict_paths` (--strict-paths): a rule that would be skipped refuses
// the launch (ApplyFailed, naming every such rule) before the ruleset is enforced.
LandlockOutcome apply_landlock(const LandlockPolicy& policy, const LandlockPlan& plan, uint32_t restrict_flags,
                               bool strict_paths = false,
                               const std::optional<bundle::Attribution>& attribution = std::nullopt);

// The refusal --strict-paths makes of these skipped rules (ApplyFailed).
Failure strict_paths_refusal(const std::vector<SkippedRule>& skipped,
                             const std::optional<bundle::Attribution>& attribution);

// The supervisor's own guard: a Landlock domain whose only restriction is the signal scope, so
// that the payload cannot signal anything outside its sandbox, the supervisor included (Landlock
// also keeps a sandboxed process from ptracing anything outside its domain). False, and nothing
// applied, when the kernel's ABI is below 6. `filesystem_restricted`: a layer below restricts the
// filesystem (the guard then grants refer everywhere, see the definition). Throws
// Failure(ApplyFailed).
bool apply_signal_guard(int kernel_abi, uint32_t restrict_flags, bool filesystem_restricted);

}  // namespace polc::launcher
