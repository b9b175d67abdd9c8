// Stage: launcher. Landlock ruleset construction and restrict_self.
#include "launcher/landlock_apply.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/posix/unique_fd.h"
#include "launcher/errors.h"
#include "launcher/landlock_uapi.h"
#include "launcher/rule_paths.h"

namespace polc::launcher {

namespace {

[[noreturn]] void apply_failed(const std::string& message) {
  throw Failure(ExitCode::ApplyFailed, "landlock: " + message);
}

constexpr uint64_t kAccessFsRefer = 1ULL << 13;  // LANDLOCK_ACCESS_FS_REFER (ABI 2)

// A deny rule as this host resolves it (see check_deny_overlap).
struct HostDeny {
  const FsRule* rule;
  std::set<InodeId> chain;  // the directories it lies beneath, and itself when it exists
  std::optional<InodeId> self;
  std::string resolved;
};

// polc refused, at build time, every deny that overlaps a grant by path text (E0606). On this host
// a path may be a link into another tree (/bin -> usr/bin), which would void a deny the build
// accepted; so the check is repeated on the objects the walker opened, identified by device and
// inode: a deny beneath a grant with overlapping rights (the grant's directory is among those the
// deny's walk passed through), or a grant beneath such a deny, refuses the launch. The grant side
// is the very descriptor then added to the ruleset, so no rename in between can separate the
// object checked from the object granted.
std::vector<HostDeny> walk_denies(const FsLayer& fs, const RulePathWalker& walker) {
  std::vector<HostDeny> denies;
  for (const FsRule& deny : fs.denies) {
    WalkedPath walked = walker.walk(deny.path, "the deny of");
    HostDeny host{&deny, {walked.chain.begin(), walked.chain.end()}, std::nullopt, walked.resolved};
    if (walked.exists()) host.self = walked.chain.back();
    denies.push_back(std::move(host));
  }
  return denies;
}

void check_deny_overlap(const FsRule& grant, const WalkedPath& walked, const std::vector<HostDeny>& denies) {
  const InodeId self = walked.chain.back();
  const std::set<InodeId> chain(walked.chain.begin(), walked.chain.end());
  for (const HostDeny& deny : denies) {
    if ((grant.access & deny.rule->access) == 0) continue;
    if (deny.chain.count(self) == 0 && !(deny.self && chain.count(*deny.self) != 0)) continue;
    apply_failed("the policy denies " + deny.rule->path + " (" + deny.resolved + " on this host), but the rule for " +
                 grant.path + " (" + walked.resolved +
                 ") grants overlapping rights there, and Landlock cannot take "
                 "them back");
  }
}

}  // namespace

int landlock_kernel_abi() {
  long abi = uapi::create_ruleset(nullptr, 0, uapi::kCreateRulesetVersion);
  // ENOSYS: not built in; EOPNOTSUPP: built in but disabled at boot. Both mean no Landlock.
  return abi < 0 ? 0 : static_cast<int>(abi);
}

PathCheck check_rule_paths(const FsLayer& fs) {
  PathCheck check;
  try {
    const RulePathWalker walker(fs.rules);
    const std::vector<HostDeny> denies = walk_denies(fs, walker);
    for (const FsRule& rule : fs.rules) {
      WalkedPath walked = walker.walk(rule.path, "the rule for");
      if (!walked.exists()) {
        check.missing.push_back(rule.path);
        check.skipped.push_back({rule.path, rule.access, true});
        continue;
      }
      check_deny_overlap(rule, walked, denies);
      if (!walked.is_directory && (rule.access & fs_file_rights()) == 0) {
        check.only_dir_rights.push_back(rule.path);
        check.skipped.push_back({rule.path, rule.access, false});
      }
    }
  } catch (const Failure& failure) {
    check.refusal = failure;
  }
  return check;
}

Failure strict_paths_refusal(const std::vector<SkippedRule>& skipped,
                             const std::optional<bundle::Attribution>& attribution) {
  std::string message = "landlock: --strict-paths: " + std::to_string(skipped.size()) +
                        (skipped.size() == 1 ? " path rule grants" : " path rules grant") + " nothing on this host: ";
  for (size_t i = 0; i < skipped.size(); ++i) message += (i ? "; " : "") + skipped_rule_text(skipped[i], attribution);
  message += ". Create the path before the launch, grant a directory that exists, or run without --strict-paths";
  return Failure(ExitCode::ApplyFailed, message);
}

LandlockOutcome apply_landlock(const LandlockPolicy& policy, const LandlockPlan& plan, uint32_t restrict_flags,
                               bool strict_paths, const std::optional<bundle::Attribution>& attribution) {
  LandlockOutcome outcome;
  if (!plan.any()) return outcome;

  uapi::LandlockRulesetAttr attr{};
  if (plan.fs) attr.handled_access_fs = policy.fs->handled;
  if (plan.net) attr.handled_access_net = policy.net->handled;
  if (plan.scope) attr.scoped = policy.scope->scoped;
  long ruleset = uapi::create_ruleset(&attr, sizeof attr, 0);
  if (ruleset < 0) apply_failed("landlock_create_ruleset failed: " + errno_text(errno));
  UniqueFd ruleset_fd(static_cast<int>(ruleset));

  if (plan.fs) {
    // Every rule path is opened by a walk on descriptors that never follows a link the sandbox
    // could have planted (rule_paths.h), and the rule goes on exactly the descriptor inspected.
    const RulePathWalker walker(policy.fs->rules);
    const std::vector<HostDeny> denies = walk_denies(*policy.fs, walker);
    for (const FsRule& rule : policy.fs->rules) {
      WalkedPath walked = walker.walk(rule.path, "the rule for");
      if (!walked.exists()) {
        // The path names nothing: its rule could only have granted access.
        outcome.skipped_paths.push_back(rule.path);
        outcome.skipped.push_back({rule.path, rule.access, true});
        continue;
      }
      check_deny_overlap(rule, walked, denies);
      uapi::LandlockPathBeneathAttr beneath{};
      beneath.allowed_access = rule.access;
      beneath.parent_fd = walked.fd.get();
      if (!walked.is_directory) {
        // Directory rights on a file are refused by the kernel (EINVAL); they could not apply to
        // anything beneath a file anyway, so dropping them changes nothing and is not reported.
        beneath.allowed_access &= fs_file_rights();
        if (beneath.allowed_access == 0) {
          outcome.skipped_paths.push_back(rule.path);
          outcome.skipped.push_back({rule.path, rule.access, false});
          continue;
        }
      }
      if (uapi::add_rule(ruleset_fd.get(), uapi::kRulePathBeneath, &beneath) != 0)
        apply_failed("cannot add the rule for " + rule.path + ": " + errno_text(errno));
    }
  }

  if (plan.net) {
    for (const NetRule& rule : policy.net->rules) {
      for (auto [low, high] : rule.ports) {
        // Landlock has one rule per port; ranges are expanded here.
        for (uint32_t port = low; port <= high; ++port) {
          uapi::LandlockNetPortAttr net{};
          net.allowed_access = rule.access;
          net.port = port;
          if (uapi::add_rule(ruleset_fd.get(), uapi::kRuleNetPort, &net) != 0)
            apply_failed("cannot add the rule for TCP port " + std::to_string(port) + ": " + errno_text(errno));
        }
      }
    }
  }

  // Before anything is enforced: the refusal leaves the process as it was.
  if (strict_paths && !outcome.skipped.empty()) throw strict_paths_refusal(outcome.skipped, attribution);
  if (uapi::restrict_self(ruleset_fd.get(), restrict_flags) != 0)
    apply_failed("landlock_restrict_self failed: " + errno_text(errno));
  return outcome;
}

bool apply_signal_guard(int kernel_abi, uint32_t restrict_flags, bool filesystem_restricted) {
  if (kernel_abi < uapi::kScopeAbi) return false;
  uapi::LandlockRulesetAttr attr{};
  attr.scoped = uapi::kScopeSignal;
  // Once any layer of a domain restricts the filesystem, the kernel checks reparenting (refer:
  // a link or rename into another directory) in every layer, and a layer denies it unless one of
  // its own rules grants it, even a layer that handles no filesystem right. A scope-only guard
  // above the policy's filesystem layer would make every cross-directory link and rename fail
  // with EXDEV, whatever the policy grants (mv falls back to copying, ln fails). So beside such a
  // layer the guard handles refer and grants it beneath /, leaving the decision to the policy.
  // Without one it handles no filesystem right, so that the domain stays unrestricted there.
  UniqueFd root;
  if (filesystem_restricted) {
    attr.handled_access_fs = kAccessFsRefer;
    root = UniqueFd(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid()) apply_failed("cannot open / for the supervisor guard: " + errno_text(errno));
  }
  long ruleset = uapi::create_ruleset(&attr, sizeof attr, 0);
  if (ruleset < 0) apply_failed("landlock_create_ruleset (supervisor guard) failed: " + errno_text(errno));
  UniqueFd ruleset_fd(static_cast<int>(ruleset));
  if (filesystem_restricted) {
    uapi::LandlockPathBeneathAttr beneath{};
    beneath.allowed_access = kAccessFsRefer;
    beneath.parent_fd = root.get();
    if (uapi::add_rule(ruleset_fd.get(), uapi::kRulePathBeneath, &beneath) != 0)
      apply_failed("cannot add the supervisor guard's rule for /: " + errno_text(errno));
  }
  if (uapi::restrict_self(ruleset_fd.get(), restrict_flags) != 0)
    apply_failed("landlock_restrict_self (supervisor guard) failed: " + errno_text(errno));
  return true;
}

}  // namespace polc::launcher
