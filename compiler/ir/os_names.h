// Stage: ir (vocabulary). The names of the OS layer's words as policies write them and reports
// print them: namespaces, limits (with the unit each is counted in), mount kinds, the conditions
// that discard a workspace and the layers whose refusals can count. Sema resolves these names;
// the IR's JSON, `polc diff` and the backends print them. One table each, in enum order.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "compiler/ir/ir.h"

namespace polc::ir {

struct NamespaceName {
  Namespace ns;
  std::string_view name;
};

inline constexpr std::array<NamespaceName, 6> kNamespaceNames = {{
    {Namespace::Cgroup, "cgroup"},
    {Namespace::Ipc, "ipc"},
    {Namespace::Mount, "mount"},
    {Namespace::Pid, "pid"},
    {Namespace::User, "user"},
    {Namespace::Uts, "uts"},
}};

// What a limit's value counts, which decides how it is written and printed.
enum class LimitUnit : uint8_t {
  Bytes,         // 512MiB
  Count,         // 128
  Millicores,    // 1.5 (cores, IR thousandths)
  Milliseconds,  // 5m
  Switch,        // on / off (1 / 0)
};

struct LimitName {
  LimitKind kind;
  std::string_view name;
  LimitUnit unit;
  std::string_view meaning;  // one line, for reports
};

inline constexpr std::array<LimitName, 8> kLimitNames = {{
    {LimitKind::Memory, "memory", LimitUnit::Bytes, "memory the payload may use (cgroup memory.max)"},
    {LimitKind::MemorySwap, "memory_swap", LimitUnit::Bytes, "memory plus swap"},
    {LimitKind::Tasks, "tasks", LimitUnit::Count, "processes and threads (cgroup pids.max)"},
    {LimitKind::Cpu, "cpu", LimitUnit::Millicores, "CPU time, in cores (cgroup cpu.max)"},
    {LimitKind::Time, "time", LimitUnit::Milliseconds, "wall-clock time before the payload is killed"},
    {LimitKind::OpenFiles, "open_files", LimitUnit::Count, "open file descriptors (RLIMIT_NOFILE)"},
    {LimitKind::FileSize, "file_size", LimitUnit::Bytes, "the largest file the payload may write (RLIMIT_FSIZE)"},
    {LimitKind::CoreDumps, "core_dumps", LimitUnit::Switch, "core files (RLIMIT_CORE); off by default"},
}};

struct MountKindName {
  MountKind kind;
  std::string_view name;
};

inline constexpr std::array<MountKindName, 4> kMountKindNames = {{
    {MountKind::Hide, "hide"},
    {MountKind::ReadOnly, "readonly"},
    {MountKind::Tmpfs, "tmpfs"},
    {MountKind::MinimalDev, "minimal_dev"},
}};

struct DiscardName {
  uint8_t bit;
  std::string_view name;
};

// In the order `polc fmt` and the IR print them.
inline constexpr std::array<DiscardName, 3> kDiscardNames = {{
    {kDiscardOnKill, "kill"},
    {kDiscardOnFailure, "failure"},
    {kDiscardOnRefusal, "refusal"},
}};

// The layers whose refusals `refusal(...)` can count, by the names telemetry gives them. Sorted.
inline constexpr std::array<std::string_view, 4> kRefusalLayerNames = {"landlock", "nftables", "proxy", "seccomp"};

inline constexpr std::string_view namespace_name(Namespace ns) {
  for (const NamespaceName& n : kNamespaceNames)
    if (n.ns == ns) return n.name;
  return "?";
}

inline constexpr const LimitName& limit_info(LimitKind kind) {
  for (const LimitName& l : kLimitNames)
    if (l.kind == kind) return l;
  return kLimitNames[0];
}

inline constexpr std::string_view limit_name(LimitKind kind) { return limit_info(kind).name; }

inline constexpr std::string_view mount_kind_name(MountKind kind) {
  for (const MountKindName& m : kMountKindNames)
    if (m.kind == kind) return m.name;
  return "?";
}

// The path `mount minimal_dev` mounts over.
inline constexpr std::string_view kMinimalDevPath = "/dev";

}  // namespace polc::ir
