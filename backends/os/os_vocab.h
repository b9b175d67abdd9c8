// Stage: backends/os (shared vocabulary). The OS layer's words as os.json, oci-config.json,
// attribution.json and `polc inspect` spell them: namespace names, limit keys, mount kinds, and
// limit values in the units policies write. Header-only, so that the bundle and the driver can
// read them without linking a backend.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::backends::os {

inline constexpr const char* kOsFile = "os.json";
inline constexpr const char* kOsFormat = "polc-os/1";

constexpr std::string_view namespace_name(ir::Namespace ns) {
  switch (ns) {
    case ir::Namespace::Cgroup: return "cgroup";
    case ir::Namespace::Ipc: return "ipc";
    case ir::Namespace::Mount: return "mount";
    case ir::Namespace::Pid: return "pid";
    case ir::Namespace::User: return "user";
    case ir::Namespace::Uts: return "uts";
  }
  return "";
}

// The limit's name in a policy's `limits` block and in attribution.json ("time").
constexpr std::string_view limit_name(ir::LimitKind kind) {
  switch (kind) {
    case ir::LimitKind::Memory: return "memory";
    case ir::LimitKind::MemorySwap: return "memory_swap";
    case ir::LimitKind::Tasks: return "tasks";
    case ir::LimitKind::Cpu: return "cpu";
    case ir::LimitKind::Time: return "time";
    case ir::LimitKind::OpenFiles: return "open_files";
    case ir::LimitKind::FileSize: return "file_size";
    case ir::LimitKind::CoreDumps: return "core_dumps";
  }
  return "";
}

// The limit's key in os.json's "limits", which names its unit where the name does not ("time_ms").
constexpr std::string_view limit_key(ir::LimitKind kind) {
  return kind == ir::LimitKind::Time ? "time_ms" : limit_name(kind);
}

// The kinds of os.json's mounts, in the order they are applied at one path (and sorted in os.json):
// a fresh tmpfs first, then what covers or restricts the path.
enum class MountKind : uint8_t { MinimalDev, Tmpfs, Hide, ReadOnly, NoExec, NoDev };

constexpr std::string_view mount_kind_name(MountKind kind) {
  switch (kind) {
    case MountKind::MinimalDev: return "minimal_dev";
    case MountKind::Tmpfs: return "tmpfs";
    case MountKind::Hide: return "hide";
    case MountKind::ReadOnly: return "readonly";
    case MountKind::NoExec: return "noexec";
    case MountKind::NoDev: return "nodev";
  }
  return "";
}

constexpr MountKind mount_kind_of(ir::MountKind kind) {
  switch (kind) {
    case ir::MountKind::Hide: return MountKind::Hide;
    case ir::MountKind::ReadOnly: return MountKind::ReadOnly;
    case ir::MountKind::Tmpfs: return MountKind::Tmpfs;
    case ir::MountKind::MinimalDev: return MountKind::MinimalDev;
  }
  return MountKind::Hide;
}

inline std::optional<MountKind> mount_kind_from_name(std::string_view name) {
  for (MountKind k : {MountKind::MinimalDev, MountKind::Tmpfs, MountKind::Hide, MountKind::ReadOnly,
                      MountKind::NoExec, MountKind::NoDev})
    if (mount_kind_name(k) == name) return k;
  return std::nullopt;
}

// Deny beneath allow: the mounts that enforce a deny of `rights` (fs_right bits) in the payload's
// mount namespace, in MountKind order:
//   read_file or read_dir             -> hide      (covers every right)
//   otherwise, any write-class right  -> readonly  (write_file, remove_*, make_*, refer, truncate)
//   execute                           -> noexec
//   ioctl_dev                         -> nodev
// A mask refuses every right of its kind beneath the path, which can be more than the deny
// names (readonly refuses every write-class right): never less.
inline std::vector<MountKind> mask_kinds(uint64_t rights) {
  using namespace ir::fs_right;
  constexpr uint64_t kReadRights = kReadFile | kReadDir;
  constexpr uint64_t kWriteRights = kWriteFile | kRemoveDir | kRemoveFile | kMakeChar | kMakeDir | kMakeReg |
                                    kMakeSock | kMakeFifo | kMakeBlock | kMakeSym | kRefer | kTruncate;
  if ((rights & kReadRights) != 0) return {MountKind::Hide};  // nothing beneath is left to reach
  std::vector<MountKind> out;
  if ((rights & kWriteRights) != 0) out.push_back(MountKind::ReadOnly);
  if ((rights & kExecute) != 0) out.push_back(MountKind::NoExec);
  if ((rights & kIoctlDev) != 0) out.push_back(MountKind::NoDev);
  return out;
}

// Bytes as a policy would write them: the largest binary unit that divides them exactly
// ("512MiB", "1536KiB", "100B").
inline std::string bytes_text(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  size_t unit = 0;
  while (unit + 1 < std::size(kUnits) && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + kUnits[unit];
}

// Milliseconds as a policy would write them: the largest of h, m, s, ms that divides them exactly.
inline std::string duration_text(uint64_t ms) {
  if (ms != 0 && ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms != 0 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

// Thousandths of a core as cores with up to two decimals: 1500 -> "1.5", 250 -> "0.25", 2000 -> "2".
inline std::string cores_text(uint64_t thousandths) {
  std::string out = std::to_string(thousandths / 1000);
  uint64_t frac = thousandths % 1000;
  if (frac == 0) return out;
  std::string digits = std::to_string(frac);
  digits.insert(0, 3 - digits.size(), '0');
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

// The value in the unit the policy writes it: "512MiB", "128", "1.5", "5m", "on".
inline std::string limit_value_text(ir::LimitKind kind, uint64_t value) {
  switch (kind) {
    case ir::LimitKind::Memory:
    case ir::LimitKind::MemorySwap:
    case ir::LimitKind::FileSize: return bytes_text(value);
    case ir::LimitKind::Cpu: return cores_text(value);
    case ir::LimitKind::Time: return duration_text(value);
    case ir::LimitKind::CoreDumps: return value != 0 ? "on" : "off";
    case ir::LimitKind::Tasks:
    case ir::LimitKind::OpenFiles: break;
  }
  return std::to_string(value);
}

// The limit as a `limits` line would say it: "memory 512MiB".
inline std::string limit_text(const ir::Limit& limit) {
  return std::string(limit_name(limit.kind)) + " " + limit_value_text(limit.kind, limit.value);
}

}  // namespace polc::backends::os
