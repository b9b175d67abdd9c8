// Stage: backends/os (shared vocabulary). The OS layer's words as os.json, oci-config.json,
// attribution.json and `polc inspect` spell them. Namespace and limit names and limit values in
// the policy's units are the IR's (compiler/ir/os_names.h, os_text.h); what is os.json's own is
// here: the limit keys, the mount kinds with the masks' noexec and nodev, and which masks a deny
// needs. Header-only, so that the bundle and the report can read them without linking a backend.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/ir/os_names.h"
#include "compiler/ir/os_text.h"

namespace polc::backends::os {

inline constexpr const char* kOsFile = "os.json";
inline constexpr const char* kOsFormat = "polc-os/1";

using ir::limit_name;
using ir::limit_value_text;
using ir::namespace_name;

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
  for (MountKind k : {MountKind::MinimalDev, MountKind::Tmpfs, MountKind::Hide, MountKind::ReadOnly, MountKind::NoExec,
                      MountKind::NoDev})
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

inline std::string bytes_text(uint64_t bytes) { return ir::size_text(bytes); }

// The limit as a `limits` line would say it: "memory 512MiB".
inline std::string limit_text(const ir::Limit& limit) {
  return std::string(limit_name(limit.kind)) + " " + limit_value_text(limit.kind, limit.value);
}

// The namespaces each `namespaces` statement asks for, one entry per statement in IR order, with
// the names in IR order (implied namespaces belong to no such statement and are left out): both
// backends claim the statement as a whole.
struct NamespaceStatement {
  ir::Origin origin;
  std::vector<std::string> names;
};

inline std::vector<NamespaceStatement> namespace_statements(const ir::Os& os) {
  std::vector<NamespaceStatement> statements;
  for (const ir::NamespaceRule& n : os.namespaces) {
    if (n.implied) continue;
    auto it = std::find_if(statements.begin(), statements.end(), [&](const NamespaceStatement& s) {
      return s.origin.range.file == n.origin.range.file && s.origin.range.begin == n.origin.range.begin &&
             s.origin.where == n.origin.where;
    });
    if (it == statements.end()) it = statements.insert(statements.end(), {n.origin, {}});
    it->names.push_back(std::string(namespace_name(n.ns)));
  }
  return statements;
}

}  // namespace polc::backends::os
