// Stage: backends/oci. oci-config.json and its claims (see emit.h).
#include "backends/oci/emit.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "backends/os/emit.h"
#include "backends/os/masks.h"
#include "backends/seccomp/claims.h"
#include "backends/seccomp/oci_profile.h"
#include "backends/seccomp/partition.h"

namespace polc::backends::oci {

namespace {

using nlohmann::json;
using os::MountKind;

constexpr uint64_t kCpuPeriod = 100000;  // microseconds: cpu.max's default period

std::string quoted(const std::string& path) { return "\"" + path + "\""; }

// The seccomp profile as the seccomp backend writes seccomp.oci.json (partitions in the masked
// spelling, the compact one where a target needs fewer rules), or null when no single profile is
// exact on every target.
json seccomp_profile(const ir::Policy& policy) {
  std::vector<seccomp::ArchPartition> parts;
  for (const ir::ArchFilter& f : policy.syscalls.arches) {
    parts.push_back(seccomp::partition(f, policy.syscalls.default_action));
    if (!parts.back().errors.empty()) {
      seccomp::ArchPartition compact =
          seccomp::partition(f, policy.syscalls.default_action, seccomp::Spelling::Compact);
      if (!compact.errors.empty()) return nullptr;  // the seccomp backend reports why
      parts.back() = std::move(compact);
    }
  }
  seccomp::OciProfile profile = seccomp::oci_profile(policy, parts);
  if (profile.conflict || profile.json.empty()) return nullptr;
  return json::parse(profile.json);
}

json namespaces_json(const ir::Policy& policy) {
  // What every container gets, what the policy adds (a network section: its own network
  // namespace; `user` only when named), sorted by type.
  std::vector<std::string> types = {"cgroup", "ipc", "mount", "pid", "uts"};
  if (policy.network.present) types.push_back("network");
  for (const ir::NamespaceRule& n : policy.os.namespaces)
    if (n.ns == ir::Namespace::User) types.push_back("user");
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  json out = json::array();
  for (const std::string& t : types) out.push_back({{"type", t}});
  return out;
}

json resources_json(const std::vector<ir::Limit>& limits) {
  json out = json::object();
  for (const ir::Limit& l : limits) {
    switch (l.kind) {
      case ir::LimitKind::Memory: out["memory"]["limit"] = l.value; break;
      case ir::LimitKind::MemorySwap: out["memory"]["swap"] = l.value; break;  // memory plus swap, as OCI means it
      case ir::LimitKind::Tasks: out["pids"]["limit"] = l.value; break;
      case ir::LimitKind::Cpu: out["cpu"] = {{"quota", l.value * kCpuPeriod / 1000}, {"period", kCpuPeriod}}; break;
      default: break;
    }
  }
  return out;
}

json rlimits_json(const std::vector<ir::Limit>& limits) {
  std::map<std::string, uint64_t> by_type = {{"RLIMIT_CORE", 0}};
  for (const ir::Limit& l : limits) {
    if (l.kind == ir::LimitKind::OpenFiles) by_type["RLIMIT_NOFILE"] = l.value;
    if (l.kind == ir::LimitKind::FileSize) by_type["RLIMIT_FSIZE"] = l.value;
    if (l.kind == ir::LimitKind::CoreDumps && l.value != 0) by_type.erase("RLIMIT_CORE");  // the runtime's default
  }
  json out = json::array();
  for (const auto& [type, value] : by_type) out.push_back({{"type", type}, {"hard", value}, {"soft", value}});
  return out;
}

// The mounts runc's own `runc spec` gives /dev: a tmpfs (the runtime creates null, zero, full,
// random, urandom and tty in it), devpts and a /dev/shm.
void minimal_dev(json& mounts) {
  mounts.push_back({{"destination", "/dev"},
                    {"type", "tmpfs"},
                    {"source", "tmpfs"},
                    {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}});
  mounts.push_back({{"destination", "/dev/pts"},
                    {"type", "devpts"},
                    {"source", "devpts"},
                    {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}});
  mounts.push_back({{"destination", "/dev/shm"},
                    {"type", "tmpfs"},
                    {"source", "shm"},
                    {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}});
}

json tmpfs(const os::OsMount& m) {
  json options = {"nosuid", "nodev", "mode=1777"};
  if (m.size != 0) options.push_back("size=" + std::to_string(m.size));
  return {{"destination", m.path}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", options}};
}

std::string limit_how(const ir::Limit& l) {
  const std::string v = os::limit_value_text(l.kind, l.value);
  switch (l.kind) {
    case ir::LimitKind::Memory: return "linux.resources.memory.limit " + v;
    case ir::LimitKind::MemorySwap: return "linux.resources.memory.swap " + v + " (memory plus swap)";
    case ir::LimitKind::Tasks: return "linux.resources.pids.limit " + v;
    case ir::LimitKind::Cpu:
      return "linux.resources.cpu quota " + std::to_string(l.value * kCpuPeriod / 1000) + " per " +
             std::to_string(kCpuPeriod) + " us: " + v + " cores";
    case ir::LimitKind::OpenFiles: return "process.rlimits RLIMIT_NOFILE " + v;
    case ir::LimitKind::FileSize: return "process.rlimits RLIMIT_FSIZE " + v;
    case ir::LimitKind::CoreDumps:
      return l.value != 0 ? "process.rlimits: RLIMIT_CORE left as the runtime sets it"
                          : "process.rlimits RLIMIT_CORE 0";
    case ir::LimitKind::Time: break;  // no OCI spelling: os.json's alone
  }
  return "";
}

std::string mount_how(const os::OsMount& m) {
  switch (m.kind) {
    case MountKind::MinimalDev: return "mounts: /dev as runc's default (tmpfs with the default devices, devpts, shm)";
    case MountKind::Tmpfs:
      return "mounts: a tmpfs on " + quoted(m.path) +
             (m.size ? " of at most " + os::bytes_text(m.size) : std::string());
    case MountKind::Hide: return "linux.maskedPaths " + quoted(m.path);
    case MountKind::ReadOnly: return "linux.readonlyPaths " + quoted(m.path);
    case MountKind::NoExec:
    case MountKind::NoDev: break;  // no OCI spelling for a path inside the container: os.json's alone
  }
  return "";
}

}  // namespace

OciFragment fragment(const ir::Policy& policy, const diag::SourceManager& sources) {
  OciFragment out;
  const os::OsLayer layer = os::os_layer(policy);
  json mounts = json::array(), masked = json::array(), readonly = json::array();
  for (const os::OsMount& m : layer.mounts) {
    switch (m.kind) {
      case MountKind::MinimalDev: minimal_dev(mounts); break;
      case MountKind::Tmpfs: mounts.push_back(tmpfs(m)); break;
      case MountKind::Hide: masked.push_back(m.path); break;
      case MountKind::ReadOnly: readonly.push_back(m.path); break;
      case MountKind::NoExec:
      case MountKind::NoDev: break;
    }
    if (!m.masks_deny && m.kind != MountKind::NoExec && m.kind != MountKind::NoDev)
      for (const ir::Origin& o : m.origins) out.enforced.push_back({o, kOciFile, Extent::Full, mount_how(m)});
  }
  // A masked deny is enforced here in full when every mask it needs has an OCI spelling.
  std::map<const ir::FsRule*, std::vector<MountKind>> masks;
  for (const os::DenyMask& mask : os::deny_masks(policy.filesystem)) masks[mask.deny].push_back(mask.kind);
  for (const ir::FsRule& r : policy.filesystem.rules) {
    auto it = masks.find(&r);
    if (it == masks.end()) continue;
    std::string how, missing;
    for (MountKind k : it->second) {
      const std::string part = mount_how({k, r.path, 0, {}, true});
      if (part.empty()) missing += (missing.empty() ? "" : " and ") + std::string(os::mount_kind_name(k));
      else how += (how.empty() ? "" : ", ") + part;
    }
    if (how.empty()) continue;
    const bool full = missing.empty();
    if (!full) how += " (" + missing + " has no OCI spelling: os.json's alone)";
    for (const ir::Origin& o : r.origins)
      out.enforced.push_back({o, kOciFile, full ? Extent::Full : Extent::Partial, how});
  }
  // Each `namespaces` statement: every namespace it names is in linux.namespaces.
  for (const auto& [origin, names] : os::namespace_statements(policy.os)) {
    std::string list;
    for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
    const bool user = std::find(names.begin(), names.end(), "user") != names.end();
    out.enforced.push_back(
        {origin, kOciFile, Extent::Full,
         "linux.namespaces: " + list +
             (user ? " (user: the config.json it is merged into gives the uid and gid mappings)" : "")});
  }
  for (const ir::Limit& l : policy.os.limits)
    if (const std::string how = limit_how(l); !how.empty())
      out.enforced.push_back({l.origin, kOciFile, Extent::Full, how});

  json linux = {{"namespaces", namespaces_json(policy)},
                {"maskedPaths", masked},
                {"readonlyPaths", readonly},
                {"resources", resources_json(policy.os.limits)}};
  if (json profile = seccomp_profile(policy); !profile.is_null()) {
    linux["seccomp"] = std::move(profile);
    // The profile decides every target as the policy does (oci_profile checks it, as for
    // seccomp.oci.json): it enforces every syscall rule and the default.
    std::vector<std::pair<arch::Arch, std::string>> programs;
    for (arch::Arch a : policy.targets) programs.push_back({a, kOciFile});
    Enforcements syscalls = seccomp::claims(policy, sources, programs, "");
    out.enforced.insert(out.enforced.end(), syscalls.begin(), syscalls.end());
  }
  json doc = {{"process", {{"rlimits", rlimits_json(policy.os.limits)}}}, {"mounts", mounts}, {"linux", linux}};
  out.json = doc.dump(2) + "\n";
  return out;
}

std::optional<BackendOutput> run(const ir::Policy& policy, diag::Engine& engine, const EmitHooks&) {
  OciFragment f = fragment(policy, engine.sources());
  BackendOutput out;
  out.files[kOciFile] = bytes_of(f.json);
  out.enforced = std::move(f.enforced);
  return out;
}

}  // namespace polc::backends::oci
