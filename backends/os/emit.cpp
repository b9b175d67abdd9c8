// Stage: backends/os. os.json and its claims (see emit.h).
#include "backends/os/emit.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "backends/os/masks.h"
#include "compiler/ir/landlock_names.h"

namespace polc::backends::os {

namespace {

using nlohmann::json;

std::string quoted(const std::string& path) { return "\"" + path + "\""; }

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i == 0 ? "" : i + 1 == words.size() ? " and " : ", ") + words[i];
  return out;
}

std::vector<std::string> discard_names(uint8_t bits) {
  std::vector<std::string> out;  // sorted by name
  if (bits & ir::kDiscardOnFailure) out.push_back("failure");
  if (bits & ir::kDiscardOnKill) out.push_back("kill");
  if (bits & ir::kDiscardOnRefusal) out.push_back("refusal");
  return out;
}

json limits_json(const std::vector<ir::Limit>& limits) {
  json out = json::object();
  out["core_dumps"] = false;
  for (const ir::Limit& l : limits) {
    if (l.kind == ir::LimitKind::CoreDumps) out["core_dumps"] = l.value != 0;
    else out[std::string(limit_key(l.kind))] = l.value;
  }
  return out;
}

json mounts_json(const std::vector<OsMount>& mounts) {
  json out = json::array();
  for (const OsMount& m : mounts) {
    json entry = {{"kind", std::string(mount_kind_name(m.kind))}, {"path", m.path}};
    if (m.kind == MountKind::Tmpfs) entry["size"] = m.size;
    out.push_back(std::move(entry));
  }
  return out;
}

json workspaces_json(const std::vector<ir::Workspace>& workspaces) {
  json out = json::array();
  for (const ir::Workspace& w : workspaces)
    out.push_back(
        {{"path", w.path}, {"discard_on", discard_names(w.discard_on)}, {"refusal_layers", w.refusal_layers}});
  return out;
}

const char* kArtifact = "os.json";

std::string mount_how(const OsMount& m) {
  switch (m.kind) {
    case MountKind::MinimalDev:
      return "a minimal /dev in the payload's mount namespace (null, zero, full, random, urandom, tty, pts, shm)";
    case MountKind::Tmpfs:
      return "a private, empty tmpfs on " + quoted(m.path) +
             (m.size ? " of at most " + bytes_text(m.size) : std::string()) + " in the payload's mount namespace";
    case MountKind::Hide:
      return "hides " + quoted(m.path) +
             " in the payload's mount namespace (an empty read-only directory, /dev/null over a file)";
    case MountKind::ReadOnly: return "mounts " + quoted(m.path) + " read-only in the payload's mount namespace";
    case MountKind::NoExec: return "mounts " + quoted(m.path) + " noexec in the payload's mount namespace";
    case MountKind::NoDev: return "mounts " + quoted(m.path) + " nodev in the payload's mount namespace";
  }
  return "";
}

std::string limit_how(const ir::Limit& l) {
  const std::string v = limit_value_text(l.kind, l.value);
  switch (l.kind) {
    case ir::LimitKind::Memory: return "cgroup memory.max " + v + ": the payload's group is OOM-killed beyond it";
    case ir::LimitKind::MemorySwap: return "cgroup memory.swap.max: memory plus swap at most " + v;
    case ir::LimitKind::Tasks: return "cgroup pids.max " + v + ": fork and clone fail beyond it";
    case ir::LimitKind::Cpu: return "cgroup cpu.max " + std::to_string(l.value * 100) + " 100000: " + v + " cores";
    case ir::LimitKind::Time: return "the launcher's supervisor kills the run after " + v + " (wall clock)";
    case ir::LimitKind::OpenFiles: return "RLIMIT_NOFILE " + v + " (soft and hard)";
    case ir::LimitKind::FileSize: return "RLIMIT_FSIZE " + v + " (soft and hard)";
    case ir::LimitKind::CoreDumps:
      return l.value != 0 ? "core files allowed: RLIMIT_CORE left as the launcher inherits it"
                          : "RLIMIT_CORE 0 (soft and hard): no core files";
  }
  return "";
}

Enforcements claims(const ir::Policy& policy, const OsLayer& layer) {
  Enforcements out;
  // One claim per `namespaces` statement, naming every namespace it asks for.
  for (const auto& [origin, names] : namespace_statements(policy.os))
    out.push_back({origin, kArtifact, Extent::Full,
                   "the payload gets its own " + joined(names) + " namespace" + (names.size() > 1 ? "s" : "")});
  for (const ir::Limit& l : policy.os.limits) out.push_back({l.origin, kArtifact, Extent::Full, limit_how(l)});
  for (const OsMount& m : layer.mounts)
    if (!m.masks_deny)
      for (const ir::Origin& o : m.origins) out.push_back({o, kArtifact, Extent::Full, mount_how(m)});
  // A deny masked by several mounts is one claim naming them all.
  std::map<const ir::FsRule*, std::vector<std::string>> masks;
  for (const DenyMask& mask : deny_masks(policy.filesystem))
    masks[mask.deny].push_back(std::string(mount_kind_name(mask.kind)));
  for (const ir::FsRule& r : policy.filesystem.rules) {
    auto it = masks.find(&r);
    if (it == masks.end()) continue;
    for (const ir::Origin& o : r.origins)
      out.push_back({o, kArtifact, Extent::Full,
                     "masked in the payload's mount namespace: " + joined(it->second) + " " + quoted(r.path)});
  }
  for (const ir::Workspace& w : policy.os.workspaces) {
    // "failure, kill and a refusal of landlock or seccomp"
    std::vector<std::string> when = discard_names(w.discard_on);
    for (std::string& name : when) {
      if (name != "refusal") continue;
      name = "a refusal";
      for (size_t i = 0; i < w.refusal_layers.size(); ++i)
        name += (i == 0 ? " of " : i + 1 == w.refusal_layers.size() ? " or " : ", ") + w.refusal_layers[i];
    }
    out.push_back({w.origin, kArtifact, Extent::Full,
                   "changes to " + quoted(w.path) + " go to an overlay, committed only when the run ends cleanly" +
                       (when.empty() ? std::string(" or not") : "; discarded on " + joined(when))});
  }
  return out;
}

}  // namespace

OsLayer os_layer(const ir::Policy& policy) {
  OsLayer out;
  std::set<ir::Namespace> namespaces;
  for (const ir::NamespaceRule& n : policy.os.namespaces) namespaces.insert(n.ns);
  // (path, kind) -> mount; a mount rule and a mask of the same kind and path are one mount.
  std::map<std::pair<std::string, MountKind>, OsMount> mounts;
  for (const ir::MountRule& m : policy.os.mounts) {
    OsMount& entry = mounts[{m.path, mount_kind_of(m.kind)}];
    entry.kind = mount_kind_of(m.kind);
    entry.path = m.path;
    entry.size = m.size;
    entry.origins.push_back(m.origin);
  }
  const std::vector<DenyMask> masks = deny_masks(policy.filesystem);
  for (const DenyMask& mask : masks) {
    OsMount& entry = mounts[{mask.deny->path, mask.kind}];
    if (entry.origins.empty()) {
      entry.kind = mask.kind;
      entry.path = mask.deny->path;
      entry.masks_deny = true;
    }
    if (entry.masks_deny)
      entry.origins.insert(entry.origins.end(), mask.deny->origins.begin(), mask.deny->origins.end());
  }
  if (!masks.empty()) namespaces.insert(ir::Namespace::Mount);
  out.namespaces.assign(namespaces.begin(), namespaces.end());
  for (auto& [key, m] : mounts) out.mounts.push_back(std::move(m));
  return out;
}

std::string os_json(const ir::Policy& policy, const OsLayer& layer) {
  json names = json::array();
  for (ir::Namespace ns : layer.namespaces) names.push_back(std::string(namespace_name(ns)));
  json doc = {{"format", kOsFormat},
              {"namespaces", std::move(names)},
              {"limits", limits_json(policy.os.limits)},
              {"mounts", mounts_json(layer.mounts)},
              {"workspaces", workspaces_json(policy.os.workspaces)}};
  return doc.dump(2) + "\n";
}

std::optional<BackendOutput> run(const ir::Policy& policy, diag::Engine&, const EmitHooks&) {
  const OsLayer layer = os_layer(policy);
  BackendOutput out;
  out.files[kOsFile] = bytes_of(os_json(policy, layer));
  out.enforced = claims(policy, layer);
  return out;
}

}  // namespace polc::backends::os
