// Stage: verify. `polc diff` for the OS layer (see os_diff.h).
#include "compiler/verify/os_diff.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "compiler/ir/os_names.h"
#include "compiler/ir/os_text.h"

namespace polc::verify {

namespace {

DiffEntry entry(bool widened, std::string region, std::string old_decision, std::string new_decision,
                const ir::Origin* old_origin, const ir::Origin* new_origin) {
  DiffEntry e;
  e.dimension = DiffEntry::Dimension::Os;
  e.widened = widened;
  e.region = std::move(region);
  e.old_decision = std::move(old_decision);
  e.new_decision = std::move(new_decision);
  if (old_origin != nullptr) e.old_rules.push_back(*old_origin);
  if (new_origin != nullptr) e.new_rules.push_back(*new_origin);
  return e;
}

template <typename T, typename Key>
std::map<Key, const T*> index(const std::vector<T>& items, Key (*key)(const T&)) {
  std::map<Key, const T*> out;
  for (const T& i : items) out.emplace(key(i), &i);
  return out;
}

// A limit's value, or what its absence means: unlimited, or (core dumps) off.
std::string limit_text(ir::LimitKind kind, const ir::Limit* l) {
  if (l != nullptr) return ir::limit_value_text(kind, l->value);
  return kind == ir::LimitKind::CoreDumps ? "off (default)" : "unlimited";
}

// Without the statement, core dumps are off (0); every other limit is unlimited.
uint64_t effective(ir::LimitKind kind, const ir::Limit* l) {
  if (l != nullptr) return l->value;
  return kind == ir::LimitKind::CoreDumps ? 0 : UINT64_MAX;
}

void diff_limits(const ir::Os& o, const ir::Os& n, std::vector<DiffEntry>& out) {
  auto key = +[](const ir::Limit& l) { return l.kind; };
  const auto old_limits = index(o.limits, key), new_limits = index(n.limits, key);
  for (const ir::LimitName& info : ir::kLimitNames) {
    auto find = [&](const auto& m) -> const ir::Limit* {
      auto it = m.find(info.kind);
      return it == m.end() ? nullptr : it->second;
    };
    const ir::Limit* a = find(old_limits);
    const ir::Limit* b = find(new_limits);
    const uint64_t va = effective(info.kind, a), vb = effective(info.kind, b);
    if (va == vb) continue;
    out.push_back(entry(vb > va, "limit " + std::string(info.name), limit_text(info.kind, a), limit_text(info.kind, b),
                        a ? &a->origin : nullptr, b ? &b->origin : nullptr));
  }
}

void diff_namespaces(const ir::Os& o, const ir::Os& n, std::vector<DiffEntry>& out) {
  auto key = +[](const ir::NamespaceRule& r) { return r.ns; };
  const auto old_ns = index(o.namespaces, key), new_ns = index(n.namespaces, key);
  auto text = [](const ir::NamespaceRule* r) {
    if (r == nullptr) return std::string("the launcher's");
    return std::string(r->implied ? "its own (implied)" : "its own");
  };
  for (const ir::NamespaceName& nn : ir::kNamespaceNames) {
    auto a = old_ns.find(nn.ns), b = new_ns.find(nn.ns);
    const ir::NamespaceRule* ra = a == old_ns.end() ? nullptr : a->second;
    const ir::NamespaceRule* rb = b == new_ns.end() ? nullptr : b->second;
    if ((ra == nullptr) == (rb == nullptr)) continue;
    out.push_back(entry(rb == nullptr, std::string(nn.name) + " namespace", text(ra), text(rb),
                        ra ? &ra->origin : nullptr, rb ? &rb->origin : nullptr));
  }
}

std::string mount_effect(ir::MountKind k) {
  switch (k) {
    case ir::MountKind::Hide: return "hidden";
    case ir::MountKind::ReadOnly: return "read-only";
    case ir::MountKind::Tmpfs: return "a private tmpfs";
    case ir::MountKind::MinimalDev: return "a minimal /dev";
  }
  return "";
}

std::string mount_absent(ir::MountKind k) {
  switch (k) {
    case ir::MountKind::Hide: return "visible";
    case ir::MountKind::ReadOnly: return "writable where the filesystem rules allow";
    case ir::MountKind::Tmpfs: return "the host's directory";
    case ir::MountKind::MinimalDev: return "the launcher's /dev";
  }
  return "";
}

std::string tmpfs_size(uint64_t size) { return size == 0 ? "the kernel's default size" : ir::size_text(size); }

void diff_mounts(const ir::Os& o, const ir::Os& n, std::vector<DiffEntry>& out) {
  using Key = std::pair<std::string, ir::MountKind>;
  auto key = +[](const ir::MountRule& m) { return Key{m.path, m.kind}; };
  const auto old_m = index(o.mounts, key), new_m = index(n.mounts, key);
  std::set<Key> keys;
  for (const auto& [k, m] : old_m) keys.insert(k);
  for (const auto& [k, m] : new_m) keys.insert(k);
  for (const Key& k : keys) {
    auto a = old_m.find(k), b = new_m.find(k);
    const ir::MountRule* ma = a == old_m.end() ? nullptr : a->second;
    const ir::MountRule* mb = b == new_m.end() ? nullptr : b->second;
    const std::string region = "mount " + std::string(ir::mount_kind_name(k.second)) +
                               (k.second == ir::MountKind::MinimalDev ? std::string() : " \"" + k.first + "\"");
    if (ma != nullptr && mb != nullptr) {
      if (k.second != ir::MountKind::Tmpfs || ma->size == mb->size) continue;
      // 0 is the kernel's default, half of the memory: larger than any size a policy names.
      const uint64_t sa = ma->size == 0 ? UINT64_MAX : ma->size, sb = mb->size == 0 ? UINT64_MAX : mb->size;
      out.push_back(
          entry(sb > sa, region + " size", tmpfs_size(ma->size), tmpfs_size(mb->size), &ma->origin, &mb->origin));
      continue;
    }
    out.push_back(entry(mb == nullptr, region, ma ? mount_effect(k.second) : mount_absent(k.second),
                        mb ? mount_effect(k.second) : mount_absent(k.second), ma ? &ma->origin : nullptr,
                        mb ? &mb->origin : nullptr));
  }
}

// The reasons a workspace is discarded, with refusals spelled per layer ("refusal(seccomp)"), so
// that two sets compare by inclusion.
std::set<std::string> discard_reasons(const ir::Workspace& w) {
  std::set<std::string> out;
  if (w.discard_on & ir::kDiscardOnKill) out.insert("kill");
  if (w.discard_on & ir::kDiscardOnFailure) out.insert("failure");
  if (w.discard_on & ir::kDiscardOnRefusal) {
    if (w.refusal_layers.empty())
      for (std::string_view l : ir::kRefusalLayerNames) out.insert("refusal(" + std::string(l) + ")");
    for (const std::string& l : w.refusal_layers) out.insert("refusal(" + l + ")");
  }
  return out;
}

std::string discard_text(const ir::Workspace& w) {
  std::string out;
  for (const ir::DiscardName& d : ir::kDiscardNames) {
    if (!(w.discard_on & d.bit)) continue;
    out += (out.empty() ? "" : ", ") + std::string(d.name);
    if (d.bit != ir::kDiscardOnRefusal || w.refusal_layers.empty()) continue;
    out += "(";
    for (size_t i = 0; i < w.refusal_layers.size(); ++i) out += (i ? ", " : "") + w.refusal_layers[i];
    out += ")";
  }
  return out.empty() ? "never discarded" : "discarded on " + out;
}

std::string joined(const std::set<std::string>& s) {
  std::string out;
  for (const std::string& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

void diff_workspaces(const ir::Os& o, const ir::Os& n, std::vector<DiffEntry>& out) {
  auto key = +[](const ir::Workspace& w) { return w.path; };
  const auto old_w = index(o.workspaces, key), new_w = index(n.workspaces, key);
  std::set<std::string> paths;
  for (const auto& [p, w] : old_w) paths.insert(p);
  for (const auto& [p, w] : new_w) paths.insert(p);
  const std::string none = "no workspace: changes are made in place";
  for (const std::string& p : paths) {
    auto a = old_w.find(p), b = new_w.find(p);
    const ir::Workspace* wa = a == old_w.end() ? nullptr : a->second;
    const ir::Workspace* wb = b == new_w.end() ? nullptr : b->second;
    const std::string region = "workspace \"" + p + "\"";
    if (wa == nullptr || wb == nullptr) {
      out.push_back(entry(wb == nullptr, region, wa ? discard_text(*wa) : none, wb ? discard_text(*wb) : none,
                          wa ? &wa->origin : nullptr, wb ? &wb->origin : nullptr));
      continue;
    }
    const std::set<std::string> ra = discard_reasons(*wa), rb = discard_reasons(*wb);
    std::set<std::string> lost, gained;
    std::set_difference(ra.begin(), ra.end(), rb.begin(), rb.end(), std::inserter(lost, lost.end()));
    std::set_difference(rb.begin(), rb.end(), ra.begin(), ra.end(), std::inserter(gained, gained.end()));
    if (!lost.empty())
      out.push_back(entry(true, region + ": no longer discarded on " + joined(lost), discard_text(*wa),
                          discard_text(*wb), &wa->origin, &wb->origin));
    if (!gained.empty())
      out.push_back(entry(false, region + ": now also discarded on " + joined(gained), discard_text(*wa),
                          discard_text(*wb), &wa->origin, &wb->origin));
  }
}

}  // namespace

std::vector<DiffEntry> diff_os(const ir::Policy& old_policy, const ir::Policy& new_policy) {
  std::vector<DiffEntry> out;
  diff_limits(old_policy.os, new_policy.os, out);
  diff_namespaces(old_policy.os, new_policy.os, out);
  diff_mounts(old_policy.os, new_policy.os, out);
  diff_workspaces(old_policy.os, new_policy.os, out);
  return out;
}

}  // namespace polc::verify
