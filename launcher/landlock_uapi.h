// Stage: launcher. The Landlock user-space API as of ABI 7, defined here because the installed
// <linux/landlock.h> may predate it: Debian 12's header has only `handled_access_fs` in
// landlock_ruleset_attr and no network or scope definitions. The layout and values are the
// kernel's (include/uapi/linux/landlock.h); the kernel accepts a shorter ruleset_attr from older
// programs and a longer one only when the extra fields are zero, so passing this struct with
// its full size is right on every kernel that knows the fields we set.
#pragma once

#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace polc::launcher::uapi {

struct LandlockRulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;  // ABI 4
  uint64_t scoped;              // ABI 6
};

// Packed in the kernel header too: 12 bytes, no trailing padding.
struct __attribute__((packed)) LandlockPathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

struct LandlockNetPortAttr {
  uint64_t allowed_access;
  uint64_t port;
};

static_assert(sizeof(LandlockRulesetAttr) == 24);
static_assert(sizeof(LandlockPathBeneathAttr) == 12);
static_assert(sizeof(LandlockNetPortAttr) == 16);

constexpr uint32_t kCreateRulesetVersion = 1u << 0;

constexpr int kRulePathBeneath = 1;
constexpr int kRuleNetPort = 2;

// Syscall numbers are the same on every architecture that has Landlock (the generic table).
#ifndef SYS_landlock_create_ruleset
constexpr long kSysCreateRuleset = 444;
constexpr long kSysAddRule = 445;
constexpr long kSysRestrictSelf = 446;
#else
constexpr long kSysCreateRuleset = SYS_landlock_create_ruleset;
constexpr long kSysAddRule = SYS_landlock_add_rule;
constexpr long kSysRestrictSelf = SYS_landlock_restrict_self;
#endif

inline long create_ruleset(const LandlockRulesetAttr* attr, size_t size, uint32_t flags) {
  return syscall(kSysCreateRuleset, attr, size, flags);
}
inline long add_rule(int ruleset_fd, int rule_type, const void* rule_attr) {
  return syscall(kSysAddRule, ruleset_fd, rule_type, rule_attr, 0);
}
// landlock_restrict_self's logging flags (ABI 7; Debian 12's headers predate them). A launcher
// sets SAME_EXEC_OFF (its own steps between restrict_self and exec are not the payload's) and
// NEW_EXEC_ON (what the payload does after exec is): every denial of the payload reaches audit.
constexpr uint32_t kRestrictSelfLogSameExecOff = 1U << 0;
constexpr uint32_t kRestrictSelfLogNewExecOn = 1U << 1;
constexpr int kLogFlagsAbi = 7;
constexpr uint64_t kScopeSignal = 1ULL << 1;  // LANDLOCK_SCOPE_SIGNAL (ABI 6)
constexpr int kScopeAbi = 6;

inline long restrict_self(int ruleset_fd, uint32_t flags) { return syscall(kSysRestrictSelf, ruleset_fd, flags); }

}  // namespace polc::launcher::uapi
