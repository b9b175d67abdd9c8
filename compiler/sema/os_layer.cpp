// Stage: sema. The OS layer: `limits`, `namespaces`, and the filesystem section's `mount` and
// `workspace` statements, read from every unit of the program and combined into `ir::Os`.
//
// Combining is by restriction, so importing a module never loosens what the policy says: a limit
// set by several units keeps the smallest value (for core dumps: off), namespaces and mount rules
// are unions, two workspaces at one path merge their discard conditions. What cannot be combined
// is an error: one path with two mount kinds, workspaces nested in each other, a workspace where a
// mount rule hides, freezes or replaces the directory. `without` never removes these statements:
// it names exceptions to what an import grants, and none of them grants anything.
#include <map>

#include "compiler/ir/os_names.h"
#include "compiler/ir/os_text.h"
#include "compiler/sema/fs_values.h"
#include "compiler/sema/os_values.h"
#include "compiler/sema/size_limits.h"
#include "compiler/sema/suggest.h"

namespace polc::sema {

using diag::Code;

namespace {

bool beneath(const std::string& path, const std::string& dir) {
  if (dir == "/") return path != "/";
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

bool at_or_beneath(const std::string& path, const std::string& dir) { return path == dir || beneath(path, dir); }

// Path order with `/` before every other character, so that everything beneath a path follows
// it directly ("/a", "/a/b", "/a-b"): the nesting checks are then one sweep with a stack, linear
// in the paths' length rather than quadratic in their number.
struct PathOrder {
  bool operator()(const std::string& a, const std::string& b) const {
    auto key = [](char c) { return c == '/' ? 0 : static_cast<unsigned char>(c) + 1; };
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [&](char x, char y) { return key(x) < key(y); });
  }
};

// One path of the nesting sweep: an enclosing candidate (`outer`) or a path to check.
struct SweepItem {
  const std::string* path;
  bool outer;
  const void* item;
};

// For every path to check, the nearest enclosing candidate at or above it (strictly above when
// `strict`): report(item, enclosing item). At equal paths, candidates come first unless `strict`,
// so that a path is its own enclosing candidate only when it may be.
template <typename Report>
void sweep(std::vector<SweepItem> items, bool strict, Report report) {
  std::stable_sort(items.begin(), items.end(), [strict](const SweepItem& a, const SweepItem& b) {
    if (*a.path != *b.path) return PathOrder()(*a.path, *b.path);
    return strict ? (!a.outer && b.outer) : (a.outer && !b.outer);
  });
  std::vector<const SweepItem*> stack;
  for (const SweepItem& it : items) {
    while (!stack.empty() &&
           !(strict ? beneath(*it.path, *stack.back()->path) : at_or_beneath(*it.path, *stack.back()->path)))
      stack.pop_back();
    if (!it.outer) {
      if (!stack.empty()) report(it.item, stack.back()->item);
      continue;
    }
    stack.push_back(&it);
  }
}

// Mount kinds under which nothing of the host's directory is left to mount over or work in.
bool empties(ir::MountKind k) {
  return k == ir::MountKind::Hide || k == ir::MountKind::Tmpfs || k == ir::MountKind::MinimalDev;
}

class OsLowering {
 public:
  explicit OsLowering(Context& ctx) : ctx_(ctx) {}

  void run() {
    for (size_t u = 0; u < ctx_.program.units.size(); ++u) {
      std::map<ir::LimitKind, const ast::LimitStmt*> unit_limits;
      for (const ast::Item& item : ctx_.unit(u).ast.items) {
        if (const auto* l = std::get_if<ast::LimitsSection>(&item)) {
          for (const ast::LimitStmt& st : l->stmts) limit(u, st, unit_limits);
        } else if (const auto* n = std::get_if<ast::NamespacesDecl>(&item)) {
          namespaces(u, *n);
        } else if (const auto* f = std::get_if<ast::FilesystemSection>(&item)) {
          for (const ast::FsStmt& st : f->stmts) {
            if (const auto* m = std::get_if<ast::MountStmt>(&st)) mount(u, *m);
            else if (const auto* w = std::get_if<ast::WorkspaceStmt>(&st)) workspace(u, *w);
          }
        }
      }
    }
    check_swap();
    check_mount_nesting();
    check_workspaces();
    finish();
  }

 private:
  // ---- limits ----

  void limit(size_t u, const ast::LimitStmt& st, std::map<ir::LimitKind, const ast::LimitStmt*>& seen) {
    const ir::LimitName* info = nullptr;
    for (const ir::LimitName& l : ir::kLimitNames)
      if (l.name == st.name.text) info = &l;
    if (info == nullptr) {
      std::vector<std::string_view> names;
      std::string list;
      for (const ir::LimitName& l : ir::kLimitNames) {
        names.push_back(l.name);
        list += (list.empty() ? "" : ", ") + std::string(l.name);
      }
      auto& d = ctx_.diags.report(Code::UnknownLimit, st.name.range, "unknown limit `" + st.name.text + "`");
      d.note("limits: " + list);
      if (auto s = closest_match(st.name.text, names); !s.empty())
        d.with_help("did you mean `" + s + "`?").fix(st.name.range, s);
      return;
    }
    if (auto [it, fresh] = seen.emplace(info->kind, &st); !fresh) {
      ctx_.diags.report(Code::DuplicateStatement, st.range, "the limit `" + st.name.text + "` is already set")
          .note(it->second->range, "first set here")
          .with_help("keep one value");
      return;
    }
    auto v = read_limit_value(ctx_, info->kind, st.value);
    if (!v) return;
    // The most restrictive value wins; on a tie the first unit (the policy first) keeps it.
    auto it = limits_.find(info->kind);
    if (it == limits_.end() || *v < it->second.value) limits_[info->kind] = {info->kind, *v, ctx_.origin(u, st.range)};
  }

  void check_swap() {
    auto swap = limits_.find(ir::LimitKind::MemorySwap);
    if (swap == limits_.end()) return;
    auto memory = limits_.find(ir::LimitKind::Memory);
    if (memory == limits_.end()) {
      ctx_.diags.report(Code::SwapBelowMemory, swap->second.origin.range, "`memory_swap` needs a `memory` limit")
          .note(
              "`memory_swap` limits memory plus swap together; without `memory` the payload could use all "
              "of it as memory")
          .with_help("add `memory` with the most memory the payload may use, at most the `memory_swap` value");
      return;
    }
    if (swap->second.value >= memory->second.value) return;
    ctx_.diags
        .report(Code::SwapBelowMemory, swap->second.origin.range,
                "`memory_swap` (" + ir::size_text(swap->second.value) + ") is below `memory` (" +
                    ir::size_text(memory->second.value) + ")")
        .note(memory->second.origin.range, "`memory` is set here")
        .note("`memory_swap` counts memory plus swap, so it can be no smaller than `memory`")
        .with_help("raise `memory_swap` to at least " + ir::size_text(memory->second.value) + " (equal means no swap)");
  }

  // ---- namespaces ----

  void namespaces(size_t u, const ast::NamespacesDecl& decl) {
    std::set<std::string> seen;
    for (const ast::Name& n : decl.namespaces) {
      if (!seen.insert(n.text).second) {
        ctx_.diags.report(Code::DuplicateEntry, n.range, "`" + n.text + "` is listed twice");
        continue;
      }
      if (n.text == "net" || n.text == "network") {
        ctx_.diags.report(Code::NetNamespaceNamed, n.range, "the network namespace is not chosen with `namespaces`")
            .note("a policy with a `network` section runs in a network namespace of its own")
            .with_help("remove `" + n.text +
                       "`: the network section (and sbx-exec --network) decide the payload's network namespace");
        continue;
      }
      std::optional<ir::Namespace> ns;
      std::vector<std::string_view> names;
      std::string list;
      for (const ir::NamespaceName& nn : ir::kNamespaceNames) {
        if (nn.name == n.text) ns = nn.ns;
        names.push_back(nn.name);
        list += (list.empty() ? "" : ", ") + std::string(nn.name);
      }
      if (!ns) {
        auto& d = ctx_.diags.report(Code::UnknownNamespace, n.range, "unknown namespace `" + n.text + "`");
        d.note("namespaces: " + list);
        std::string s = n.text == "mnt" ? "mount" : n.text == "cgroups" ? "cgroup" : closest_match(n.text, names);
        if (!s.empty()) d.with_help("did you mean `" + s + "`?").fix(n.range, s);
        continue;
      }
      if (*ns == ir::Namespace::Pid) needs_mount(u, decl.range);
      if (!named_.count(*ns)) named_[*ns] = ctx_.origin(u, decl.range);
    }
  }

  // The mount namespace is implied by the first statement (in unit order) that needs it.
  void needs_mount(size_t u, ast::SourceRange range) {
    if (!mount_needed_by_) mount_needed_by_ = ctx_.origin(u, range);
  }

  // ---- mount rules ----

  void mount(size_t u, const ast::MountStmt& st) {
    std::optional<ir::MountKind> kind;
    std::vector<std::string_view> names;
    std::string list;
    for (const ir::MountKindName& k : ir::kMountKindNames) {
      if (k.name == st.kind.text) kind = k.kind;
      names.push_back(k.name);
      list += (list.empty() ? "" : ", ") + std::string(k.name);
    }
    if (!kind) {
      auto& d = ctx_.diags.report(Code::UnknownMountKind, st.kind.range, "unknown mount kind `" + st.kind.text + "`");
      d.note("mount kinds: " + list);
      std::string s = st.kind.text == "ro" || st.kind.text == "read_only" ? "readonly"
                      : st.kind.text == "mask"                            ? "hide"
                                                                          : closest_match(st.kind.text, names);
      if (!s.empty()) d.with_help("did you mean `" + s + "`?").fix(st.kind.range, s);
      return;
    }
    const std::string kind_name(ir::mount_kind_name(*kind));
    if (*kind == ir::MountKind::MinimalDev) {
      if (!st.paths.empty()) {
        ctx_.diags.report(Code::MalformedMount, st.paths.front().range, "`mount minimal_dev` takes no path")
            .note("it always mounts a minimal /dev")
            .with_help("write `mount minimal_dev`");
        return;
      }
    } else if (st.paths.empty()) {
      ctx_.diags.report(Code::MalformedMount, st.range, "`mount " + kind_name + "` needs at least one path")
          .with_help("name the paths: `mount " + kind_name + " \"/path\"`");
      return;
    }
    uint64_t size = 0;
    if (st.size) {
      if (*kind != ir::MountKind::Tmpfs) {
        ctx_.diags.report(Code::MalformedMount, st.size->range, "only `mount tmpfs` takes a size")
            .with_help("remove `size " + st.size->text + "`");
        return;
      }
      auto v = read_size(ctx_, *st.size, "a tmpfs size");
      if (!v) return;
      if (*v == 0) {
        ctx_.diags.report(Code::LimitOutOfRange, st.size->range, "a tmpfs size must be greater than zero")
            .with_help("remove `size` for the kernel's default (half of the memory)");
        return;
      }
      size = *v;
    }
    const ir::Origin origin = ctx_.origin(u, st.range);
    needs_mount(u, st.range);
    if (*kind == ir::MountKind::MinimalDev) {
      add_mount({*kind, std::string(ir::kMinimalDevPath), 0, origin}, st.range);
      return;
    }
    std::set<std::string> seen;
    for (const ast::StringLit& path : st.paths) {
      if (!seen.insert(path.value).second) {
        ctx_.diags.report(Code::DuplicateEntry, path.range, "path \"" + path.value + "\" is listed twice in this rule");
        continue;
      }
      if (!check_path(ctx_, path)) continue;
      if (!admit(ctx_, SizeKind::FsPaths, 1, path.range)) return;
      if (path.value == "/" && *kind != ir::MountKind::ReadOnly) {
        ctx_.diags
            .report(
                Code::OsRootPath, path.range,
                std::string(*kind == ir::MountKind::Hide ? "hiding" : "a tmpfs over") + " `/` leaves nothing to run")
            .with_help("name the directories to " + std::string(*kind == ir::MountKind::Hide ? "hide" : "replace"));
        continue;
      }
      add_mount({*kind, path.value, size, origin}, path.range);
    }
  }

  void add_mount(ir::MountRule rule, ast::SourceRange at) {
    auto it = mounts_.find(rule.path);
    if (it == mounts_.end()) {
      mounts_.emplace(rule.path, std::move(rule));
      return;
    }
    ir::MountRule& have = it->second;
    if (have.kind != rule.kind) {
      ctx_.diags
          .report(Code::ConflictingMounts, at,
                  "\"" + rule.path + "\" is already mounted `" + std::string(ir::mount_kind_name(have.kind)) +
                      "`, so it cannot also be `" + std::string(ir::mount_kind_name(rule.kind)) + "`")
          .note(have.origin.range, "mounted `" + std::string(ir::mount_kind_name(have.kind)) + "` here")
          .with_help("keep one mount kind for the path");
      return;
    }
    // The same rule twice (two modules, or a module imported twice): one rule. Two tmpfs sizes:
    // the smaller one, as for limits.
    if (rule.kind == ir::MountKind::Tmpfs && rule.size != 0 && (have.size == 0 || rule.size < have.size)) {
      have.size = rule.size;
      have.origin = rule.origin;
    }
  }

  // Beneath a hidden path or a fresh tmpfs there is nothing of the host's left to mount over.
  void check_mount_nesting() {
    std::vector<SweepItem> items;
    for (const auto& [path, rule] : mounts_) {
      if (empties(rule.kind)) items.push_back({&rule.path, true, &rule});
      items.push_back({&rule.path, false, &rule});
    }
    sweep(std::move(items), /*strict=*/true, [&](const void* inner_item, const void* outer_item) {
      const auto& rule = *static_cast<const ir::MountRule*>(inner_item);
      const auto& outer = *static_cast<const ir::MountRule*>(outer_item);
      ctx_.diags
          .report(Code::MountBeneathEmptyMount, rule.origin.range,
                  "\"" + rule.path + "\" is beneath \"" + outer.path + "\", which `mount " +
                      std::string(ir::mount_kind_name(outer.kind)) + "` empties")
          .note(outer.origin.range, "mounted here")
          .with_help("remove the rule for \"" + rule.path + "\": nothing is there once \"" + outer.path +
                     "\" is mounted");
    });
  }

  // ---- workspaces ----

  void workspace(size_t u, const ast::WorkspaceStmt& st) {
    if (!check_path(ctx_, st.path) || !admit(ctx_, SizeKind::FsPaths, 1, st.path.range)) return;
    if (st.path.value == "/") {
      ctx_.diags.report(Code::OsRootPath, st.path.range, "`/` cannot be a workspace")
          .note("a workspace's changes are committed file by file beneath it; the whole system is not one")
          .with_help("name the project's directory");
      return;
    }
    ir::Workspace w;
    w.path = st.path.value;
    w.origin = ctx_.origin(u, st.range);
    if (!st.discard.empty() && !discard_conditions(st, w)) return;
    needs_mount(u, st.range);
    auto it = workspaces_.find(w.path);
    if (it == workspaces_.end()) {
      workspaces_.emplace(w.path, std::move(w));
      return;
    }
    // Two statements for one workspace: discard whenever either would.
    ir::Workspace& have = it->second;
    const bool any_layer = ((have.discard_on & ir::kDiscardOnRefusal) && have.refusal_layers.empty()) ||
                           ((w.discard_on & ir::kDiscardOnRefusal) && w.refusal_layers.empty());
    have.discard_on |= w.discard_on;
    if (any_layer) {
      have.refusal_layers.clear();
    } else {
      std::set<std::string> layers(have.refusal_layers.begin(), have.refusal_layers.end());
      layers.insert(w.refusal_layers.begin(), w.refusal_layers.end());
      have.refusal_layers.assign(layers.begin(), layers.end());
    }
  }

  bool discard_conditions(const ast::WorkspaceStmt& st, ir::Workspace& w) {
    w.discard_on = 0;
    bool ok = true;
    std::set<std::string> seen, layers;
    for (const ast::DiscardCond& c : st.discard) {
      const ir::DiscardName* found = nullptr;
      std::vector<std::string_view> names;
      for (const ir::DiscardName& d : ir::kDiscardNames) {
        if (d.name == c.name.text) found = &d;
        names.push_back(d.name);
      }
      if (found == nullptr) {
        auto& d = ctx_.diags.report(Code::UnknownDiscardCondition, c.name.range,
                                    "unknown discard condition `" + c.name.text + "`");
        d.note("conditions: kill (killed by a signal), failure (a nonzero exit), refusal (a layer refused a request)");
        if (auto s = closest_match(c.name.text, names); !s.empty())
          d.with_help("did you mean `" + s + "`?").fix(c.name.range, s);
        ok = false;
        continue;
      }
      if (!seen.insert(c.name.text).second) {
        ctx_.diags.report(Code::DuplicateEntry, c.range, "`" + c.name.text + "` is listed twice");
        continue;
      }
      w.discard_on |= found->bit;
      if (!c.has_layers) continue;
      if (found->bit != ir::kDiscardOnRefusal) {
        ctx_.diags.report(Code::UnknownDiscardCondition, c.range, "only `refusal` takes a list of layers")
            .with_help("write `" + c.name.text + "`")
            .fix(c.range, c.name.text);
        ok = false;
        continue;
      }
      for (const ast::Name& l : c.layers) {
        const auto* known = std::find(ir::kRefusalLayerNames.begin(), ir::kRefusalLayerNames.end(), l.text);
        if (known == ir::kRefusalLayerNames.end()) {
          std::string list;
          for (std::string_view n : ir::kRefusalLayerNames) list += (list.empty() ? "" : ", ") + std::string(n);
          auto& d = ctx_.diags.report(Code::UnknownDiscardCondition, l.range, "unknown refusal layer `" + l.text + "`");
          d.note("layers: " + list);
          if (auto s = closest_match(l.text, ir::kRefusalLayerNames); !s.empty())
            d.with_help("did you mean `" + s + "`?").fix(l.range, s);
          ok = false;
          continue;
        }
        if (!layers.insert(l.text).second)
          ctx_.diags.report(Code::DuplicateEntry, l.range, "`" + l.text + "` is listed twice");
      }
    }
    w.refusal_layers.assign(layers.begin(), layers.end());
    return ok;
  }

  void check_workspaces() {
    std::vector<SweepItem> nested;
    for (const auto& [path, w] : workspaces_) {
      nested.push_back({&w.path, true, &w});
      nested.push_back({&w.path, false, &w});
    }
    sweep(std::move(nested), /*strict=*/true, [&](const void* inner_item, const void* outer_item) {
      const auto& w = *static_cast<const ir::Workspace*>(inner_item);
      const auto& outer = *static_cast<const ir::Workspace*>(outer_item);
      ctx_.diags
          .report(Code::NestedWorkspaces, w.origin.range,
                  "workspace \"" + w.path + "\" is inside workspace \"" + outer.path + "\"")
          .note(outer.origin.range, "the outer workspace")
          .with_help("keep the outer workspace: its changes include everything beneath it");
    });
    std::vector<SweepItem> under;
    for (const auto& [path, m] : mounts_) under.push_back({&m.path, true, &m});
    for (const auto& [path, w] : workspaces_) under.push_back({&w.path, false, &w});
    sweep(std::move(under), /*strict=*/false, [&](const void* inner_item, const void* outer_item) {
      const auto& w = *static_cast<const ir::Workspace*>(inner_item);
      const auto& m = *static_cast<const ir::MountRule*>(outer_item);
      const std::string kind(ir::mount_kind_name(m.kind));
      const std::string where = m.path == w.path ? "at" : "beneath";
      if (m.kind == ir::MountKind::Hide || m.kind == ir::MountKind::ReadOnly) {
        ctx_.diags
            .report(Code::WorkspaceUnderMount, w.origin.range,
                    "workspace \"" + w.path + "\" is " + where + " \"" + m.path + "\", which is mounted `" + kind + "`")
            .note(m.origin.range, "mounted here")
            .with_help(m.kind == ir::MountKind::Hide
                           ? "the payload could not see the workspace: remove one of the two"
                           : "the payload could not write the workspace: remove one of the two");
      } else {
        ctx_.diags
            .report(
                Code::MountBeneathEmptyMount, w.origin.range,
                "workspace \"" + w.path + "\" is " + where + " \"" + m.path + "\", which `mount " + kind + "` empties")
            .note(m.origin.range, "mounted here")
            .with_help("a workspace keeps a host directory's changes; choose a directory outside the mount");
      }
    });
  }

  // ---- the result ----

  void finish() {
    ir::Os& os = ctx_.policy.os;
    for (const auto& [kind, l] : limits_) os.limits.push_back(l);
    for (const auto& [ns, origin] : named_) os.namespaces.push_back({ns, false, origin});
    if (mount_needed_by_ && !named_.count(ir::Namespace::Mount))
      os.namespaces.push_back({ir::Namespace::Mount, true, *mount_needed_by_});
    std::sort(os.namespaces.begin(), os.namespaces.end(),
              [](const ir::NamespaceRule& a, const ir::NamespaceRule& b) { return a.ns < b.ns; });
    for (const auto& [path, m] : mounts_) os.mounts.push_back(m);
    std::stable_sort(os.mounts.begin(), os.mounts.end(), [](const ir::MountRule& a, const ir::MountRule& b) {
      return std::tie(a.path, a.kind) < std::tie(b.path, b.kind);
    });
    for (const auto& [path, w] : workspaces_) os.workspaces.push_back(w);
    std::sort(os.workspaces.begin(), os.workspaces.end(),
              [](const ir::Workspace& a, const ir::Workspace& b) { return a.path < b.path; });
  }

  Context& ctx_;
  std::map<ir::LimitKind, ir::Limit> limits_;
  std::map<ir::Namespace, ir::Origin> named_;
  std::optional<ir::Origin> mount_needed_by_;
  std::map<std::string, ir::MountRule> mounts_;      // by path
  std::map<std::string, ir::Workspace> workspaces_;  // by path
};

}  // namespace

void lower_os(Context& ctx) { OsLowering(ctx).run(); }

}  // namespace polc::sema
