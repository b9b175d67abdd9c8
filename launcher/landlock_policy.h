// Stage: launcher. landlock.json (format polc.landlock/1): parsing, validation, and the plan of
// which layers this kernel applies.
//
// Validation fails closed: an unknown key, right or scope name, a wrong type, a rule right the
// layer does not handle, or a right newer than the file's own min_abi is a malformed bundle,
// never something to skip, because skipping would run the payload with less confinement than
// the policy's author saw compiled.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polc::launcher {

struct FsRule {
  std::string path;     // absolute
  uint64_t access = 0;  // LANDLOCK_ACCESS_FS_* bits, a subset of the layer's handled rights
};

struct FsLayer {
  uint64_t handled = 0;
  std::vector<FsRule> rules;
  // The policy's deny rules (optional in the file): never added to the ruleset (Landlock only
  // grants), but checked against the grants on this host's paths before anything is applied.
  std::vector<FsRule> denies;
};

struct NetRule {
  uint64_t access = 0;                               // LANDLOCK_ACCESS_NET_* bits
  std::vector<std::pair<uint16_t, uint16_t>> ports;  // inclusive ranges
};

struct NetLayer {
  int abi = 4;
  bool best_effort = false;
  uint64_t handled = 0;
  std::vector<NetRule> rules;
};

struct ScopeLayer {
  int abi = 6;
  bool best_effort = false;
  uint64_t scoped = 0;  // LANDLOCK_SCOPE_* bits
};

struct LandlockPolicy {
  std::string policy_name;
  int64_t policy_version = 0;
  int min_abi = 0;
  std::optional<FsLayer> fs;  // nullopt: the policy has no filesystem layer ("fs": null)
  std::optional<NetLayer> net;
  std::optional<ScopeLayer> scope;
};

// Parses and validates landlock.json. Throws Failure(BundleInvalid).
LandlockPolicy parse_landlock_policy(std::string_view json);

// Names of the bits, in the kernel's bit order (deterministic output for dry-run and audit).
std::vector<std::string> fs_access_names(uint64_t bits);
std::vector<std::string> net_access_names(uint64_t bits);
std::vector<std::string> scope_names(uint64_t bits);
std::string join(const std::vector<std::string>& parts, std::string_view separator);

// The rights that mean something on a file that is not a directory; the kernel refuses a rule
// with any other right on such a file (EINVAL).
uint64_t fs_file_rights();

struct DroppedLayer {
  std::string layer;  // "landlock.net", "landlock.scope"
  int needs_abi = 0;
  std::string reason;
};

// What this kernel will get. Decided before anything is applied so that a refusal happens while
// the launcher has changed nothing.
struct LandlockPlan {
  int kernel_abi = 0;  // 0: Landlock unsupported or disabled
  int abi_used = 0;    // highest ABI whose features the applied ruleset uses; 0 when none applied
  bool fs = false;
  bool net = false;
  bool scope = false;
  std::vector<DroppedLayer> dropped;
  bool any() const { return fs || net || scope; }
};

// Throws Failure(KernelLacks) when kernel_abi is below min_abi or below a layer that is not best
// effort.
LandlockPlan plan_landlock(const LandlockPolicy& policy, int kernel_abi);

}  // namespace polc::launcher
