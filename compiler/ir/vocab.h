// Stage: ir (vocabulary). The small value types that sema produces and the IR keeps: actions,
// argument comparisons, filesystem rights, hosts and ports. Header-only and dependency-free so that
// sema can fill them without depending on the IR's lowering code.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "compiler/diag/source_manager.h"

namespace polc::ir {

// Ordered from most to least restrictive: the kernel's own precedence when several filters or
// rules match (SECCOMP_RET_KILL_PROCESS > ... > SECCOMP_RET_ALLOW). Never reorder.
enum class ActionKind : uint8_t { KillProcess, KillThread, Trap, Errno, UserNotif, Trace, Log, Allow };

struct Action {
  ActionKind kind = ActionKind::Allow;
  uint16_t data = 0;  // errno value (Errno) or trace message data (Trace); 0 otherwise

  friend bool operator==(const Action&, const Action&) = default;
};

// True when `a` wins over `b` under the kernel's precedence. Among equal actions from several
// filters the kernel keeps the most recently installed filter's data; polc's rules are unordered,
// so the lowest errno wins, which is deterministic and documented (the verifier reports overlaps).
inline bool more_restrictive(const Action& a, const Action& b) {
  if (a.kind != b.kind) return a.kind < b.kind;
  return a.data < b.data;
}

std::string_view action_name(ActionKind k);
// "allow", "errno(1)", "trace(7)", ...: the action as a policy writes it.
std::string action_text(const Action& a);

enum class CmpOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, MaskedEq, MaskedNe };

// One comparison of a syscall argument, already at the width the kernel reads it: `width` is 16
// (umode_t, 16-bit uids), 32 or 64; `value` and `mask` fit in that width, and ordering comparisons are unsigned on the
// width-truncated value (how seccomp compares). Signed source values were converted by sema.
struct ArgCmp {
  uint8_t arg = 0;     // 0..5
  uint8_t width = 64;  // 32 or 64
  CmpOp op = CmpOp::Eq;
  uint64_t mask = ~uint64_t{0};  // MaskedEq/MaskedNe only
  uint64_t value = 0;

  friend auto operator<=>(const ArgCmp&, const ArgCmp&) = default;
};

// Landlock filesystem access rights, as the kernel's LANDLOCK_ACCESS_FS_* bits.
namespace fs_right {
inline constexpr uint64_t kExecute = 1ull << 0;
inline constexpr uint64_t kWriteFile = 1ull << 1;
inline constexpr uint64_t kReadFile = 1ull << 2;
inline constexpr uint64_t kReadDir = 1ull << 3;
inline constexpr uint64_t kRemoveDir = 1ull << 4;
inline constexpr uint64_t kRemoveFile = 1ull << 5;
inline constexpr uint64_t kMakeChar = 1ull << 6;
inline constexpr uint64_t kMakeDir = 1ull << 7;
inline constexpr uint64_t kMakeReg = 1ull << 8;
inline constexpr uint64_t kMakeSock = 1ull << 9;
inline constexpr uint64_t kMakeFifo = 1ull << 10;
inline constexpr uint64_t kMakeBlock = 1ull << 11;
inline constexpr uint64_t kMakeSym = 1ull << 12;
inline constexpr uint64_t kRefer = 1ull << 13;     // ABI 2
inline constexpr uint64_t kTruncate = 1ull << 14;  // ABI 3
inline constexpr uint64_t kIoctlDev = 1ull << 15;  // ABI 5
}  // namespace fs_right

// Every filesystem right the kernel's Landlock ABI `abi` can restrict.
inline uint64_t fs_rights_for_abi(unsigned abi) {
  uint64_t r = (fs_right::kMakeSym << 1) - 1;  // ABI 1: bits 0..12
  if (abi >= 2) r |= fs_right::kRefer;
  if (abi >= 3) r |= fs_right::kTruncate;
  if (abi >= 5) r |= fs_right::kIoctlDev;
  return r;
}
inline constexpr unsigned kMaxLandlockAbi = 7;

// Landlock scopes (LANDLOCK_SCOPE_*, ABI 6): IPC the sandbox may not direct at processes outside it.
namespace scope {
inline constexpr uint64_t kAbstractUnixSocket = 1ull << 0;
inline constexpr uint64_t kSignal = 1ull << 1;
}  // namespace scope
inline constexpr unsigned kScopeAbi = 6;

// Landlock's layers beyond the filesystem rights, each with the ABI that introduced it; the bits of
// Filesystem::best_effort.
namespace layer {
inline constexpr uint64_t kNetwork = 1ull << 0;  // TCP bind/connect ports, ABI 4
inline constexpr uint64_t kScope = 1ull << 1;    // scopes, ABI 6
}  // namespace layer
inline constexpr unsigned kNetworkAbi = 4;

enum class Direction : uint8_t { Any, Connect, Bind };
enum class Proto : uint8_t { Any, Tcp, Udp };

// The words a policy, the IR's JSON, egress.json and every report use: "connect", "bind", "any";
// "tcp", "udp", "any".
std::string_view direction_name(Direction d);
std::string_view proto_name(Proto p);

struct PortRange {
  uint16_t low = 1;
  uint16_t high = 65535;
  friend auto operator<=>(const PortRange&, const PortRange&) = default;
};

enum class HostKind : uint8_t { Any, V4, V6, Domain };

// An address block or a domain. V4 blocks keep their 4 bytes in addr[0..3].
struct Host {
  HostKind kind = HostKind::Any;
  std::array<uint8_t, 16> addr{};
  uint8_t prefix = 0;
  std::string domain;     // lowercase, without a leading "*."
  bool wildcard = false;  // "*.domain": every strict subdomain
  friend auto operator<=>(const Host&, const Host&) = default;
};

std::string host_to_string(const Host& h);

// Where a statement came from, for diagnostics, reports and the coverage map.
struct Origin {
  diag::SourceRange range;
  std::string module;  // "" for the policy itself, else the module's name
  std::string where;   // "file:line", computed by sema for JSON output
  friend bool operator==(const Origin&, const Origin&) = default;
};

}  // namespace polc::ir
