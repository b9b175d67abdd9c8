// Stage: sema. Collects groups, host sets and constants from every loaded unit into one namespace,
// and expands groups and host sets (recursively, with cycle detection).
#include <algorithm>
#include <functional>
#include <set>
#include <utility>

#include "compiler/sema/conditions.h"
#include "compiler/sema/constants.h"
#include "compiler/sema/context.h"
#include "compiler/sema/net_values.h"
#include "compiler/sema/suggest.h"
#include "compiler/sema/syscall_table.h"

namespace polc::sema {

using diag::Code;

void report_definition_depth(Context& ctx, ast::SourceRange at, std::string_view what) {
  if (!std::exchange(ctx.reported_definition_depth, true))
    ctx.diags.report(Code::NestingTooDeep, at,
                     std::string(what) + " more than " + std::to_string(kMaxDefinitionDepth) + " levels deep");
}

void collect_definitions(Context& ctx) {
  for (size_t u = 0; u < ctx.program.units.size(); ++u) {
    for (const ast::Item& item : ctx.unit(u).ast.items) {
      Definition def;
      def.unit = u;
      std::string name;
      if (const auto* g = std::get_if<ast::GroupDef>(&item)) {
        def.kind = Definition::Kind::Group;
        def.group = g;
        def.range = g->name.range;
        name = g->name.text;
      } else if (const auto* h = std::get_if<ast::HostsDef>(&item)) {
        def.kind = Definition::Kind::Hosts;
        def.hosts = h;
        def.range = h->name.range;
        name = h->name.text;
      } else if (const auto* c = std::get_if<ast::ConstDef>(&item)) {
        def.kind = Definition::Kind::Const;
        def.constant = c;
        def.range = c->name.range;
        name = c->name.text;
        // One namespace spans every imported module, so a `const` that redefined a built-in
        // (CLONE_NEWUSER, TIOCSTI, EPERM) would silently change the meaning of std.hardening.
        if (!constant_category(name).empty() || errno_value(name, arch::Arch::x86_64)) {
          ctx.diags
              .report(Code::DuplicateDefinition, c->name.range,
                      "`" + name + "` is a built-in " + (constant_category(name).empty() ? "errno name" : "constant") +
                          " and cannot be redefined")
              .with_help("choose another name; built-in values mean the same in every module");
          continue;
        }
      } else {
        continue;
      }
      // Modules loaded through the standard library or files never define a name twice by being
      // imported twice: each unit is loaded once.
      auto [it, inserted] = ctx.defs.emplace(name, def);
      if (!inserted) {
        // Units are numbered from the root outwards, so the definition in the lower-numbered unit is
        // the one the author is editing; report there and point at the other.
        const Definition& here = it->second.unit <= def.unit ? it->second : def;
        const Definition& other = it->second.unit <= def.unit ? def : it->second;
        const bool is_const = def.kind == Definition::Kind::Const;
        ctx.diags
            .report(Code::DuplicateDefinition, here.range,
                    "`" + std::string(is_const ? "" : "@") + name + "` is defined twice")
            .note(other.range, ctx.unit(other.unit).module.empty()
                                   ? "also defined here"
                                   : "also defined in `" + ctx.unit(other.unit).module + "`")
            .with_help("rename one of the two definitions");
      }
    }
  }
}

namespace {

// The definition `@name` of `kind`, marked used; nullptr (after reporting) when there is none or
// it is of another kind.
Definition* find_set(Context& ctx, const std::string& name, ast::SourceRange use, Definition::Kind kind) {
  Definition* def = ctx.lookup(name);
  if (def == nullptr) {
    auto& d = ctx.diags.report(Code::UnknownGroup, use, "no group or host set named `@" + name + "`");
    std::vector<std::string_view> names;
    for (const auto& [n, dd] : ctx.defs)
      if (dd.kind == kind) names.push_back(n);
    if (auto s = closest_match(name, names); !s.empty()) d.with_help("did you mean `@" + s + "`?").fix(use, "@" + s);
    else if (kind == Definition::Kind::Group)
      d.with_help("the standard groups are defined in std.groups: `import std.groups`");
    return nullptr;
  }
  def->used = true;
  if (def->kind != kind) {
    auto kind_name = [](Definition::Kind k) {
      return k == Definition::Kind::Group ? "syscall group" : k == Definition::Kind::Hosts ? "host set" : "constant";
    };
    ctx.diags
        .report(Code::WrongKindOfName, use,
                "`" + name + "` is a " + kind_name(def->kind) + ", but a " + kind_name(kind) + " is needed here")
        .note(def->range, "defined here");
    return nullptr;
  }
  return def;
}

// Memoized, de-duplicated expansion shared by groups and host sets. `members(def, out)` appends
// the direct members and calls back into this function for nested sets. A set on the current
// expansion path is a cycle (reported once, by check_definitions): expansion stops there.
template <typename T, typename Members>
std::vector<T> expand(Context& ctx, const std::string& name, ast::SourceRange use, Definition::Kind kind,
                      std::map<std::string, std::vector<T>>& memo, Members members) {
  Definition* def = find_set(ctx, name, use, kind);
  if (def == nullptr) return {};
  auto& stack = ctx.expansion_stack;
  auto too_deep = [&] {
    report_definition_depth(ctx, use, "groups and host sets include each other");
    return std::vector<T>{};
  };
  // The limit holds for the whole chain, whether or not part of it was already expanded.
  if (auto it = memo.find(name); it != memo.end())
    return stack.size() + ctx.set_depths[name] > kMaxDefinitionDepth ? too_deep() : it->second;
  if (std::find(stack.begin(), stack.end(), name) != stack.end()) return {};
  if (stack.size() >= kMaxDefinitionDepth) return too_deep();
  stack.push_back(name);
  std::vector<T> out;
  members(*def, out);
  stack.pop_back();
  size_t depth = 1;
  auto nested = [&](const std::string& member) {
    if (auto d = ctx.set_depths.find(member); d != ctx.set_depths.end()) depth = std::max(depth, d->second + 1);
  };
  if (def->group != nullptr)
    for (const auto& m : def->group->members)
      if (m.is_group) nested(m.name.text);
  if (def->hosts != nullptr)
    for (const auto& h : def->hosts->hosts)
      if (h.kind == ast::HostKind::Group) nested(h.text);
  ctx.set_depths[name] = depth;
  memo[name] = out;
  return out;
}

}  // namespace

std::vector<GroupMemberRef> expand_group(Context& ctx, const std::string& name, ast::SourceRange use) {
  return expand<GroupMemberRef>(ctx, name, use, Definition::Kind::Group, ctx.group_expansions,
                                [&](const Definition& def, std::vector<GroupMemberRef>& out) {
                                  std::set<std::string> seen;
                                  auto add = [&](GroupMemberRef m) {
                                    if (seen.insert(m.syscall).second) out.push_back(std::move(m));
                                  };
                                  for (const ast::GroupMember& m : def.group->members) {
                                    if (m.is_group) {
                                      for (auto& sub : expand_group(ctx, m.name.text, m.name.range))
                                        add(std::move(sub));
                                    } else {
                                      add({m.name.text, m.optional, m.name.range});
                                    }
                                  }
                                });
}

std::vector<ir::Host> expand_hosts(Context& ctx, const std::string& name, ast::SourceRange use) {
  return expand<ir::Host>(ctx, name, use, Definition::Kind::Hosts, ctx.hosts_expansions,
                          [&](const Definition& def, std::vector<ir::Host>& out) {
                            std::set<ir::Host> seen;
                            auto add = [&](ir::Host h) {
                              if (seen.insert(h).second) out.push_back(std::move(h));
                            };
                            for (const ast::HostRef& h : def.hosts->hosts) {
                              if (h.kind == ast::HostKind::Group) {
                                for (auto& sub : expand_hosts(ctx, h.text, h.range)) add(std::move(sub));
                              } else if (auto host = parse_host(ctx, h)) {
                                add(std::move(*host));
                              }
                            }
                          });
}

}  // namespace polc::sema

namespace polc::sema {

namespace {

// Reports every group or host set that includes itself, whether or not anything uses it.
void check_cycles(Context& ctx, const std::string& name, std::vector<std::string>& stack, std::set<std::string>& done) {
  // Past the depth limit the expansion itself reports E0006; stop before the stack runs out.
  if (done.count(name) != 0 || stack.size() >= kMaxDefinitionDepth) return;
  auto it = ctx.defs.find(name);
  if (it == ctx.defs.end() || it->second.kind == Definition::Kind::Const) return;
  stack.push_back(name);
  auto visit = [&](const std::string& member, ast::SourceRange range) {
    if (std::find(stack.begin(), stack.end(), member) != stack.end()) {
      auto& d = ctx.diags.report(Code::GroupCycle, range, "`@" + member + "` includes itself");
      for (auto s = std::find(stack.begin(), stack.end(), member); s != stack.end(); ++s) {
        const Definition& def = ctx.defs.at(*s);
        d.note(def.range, "through `@" + *s + "`");
      }
      return;
    }
    check_cycles(ctx, member, stack, done);
  };
  if (const ast::GroupDef* g = it->second.group) {
    for (const auto& m : g->members)
      if (m.is_group) visit(m.name.text, m.name.range);
  } else if (const ast::HostsDef* h = it->second.hosts) {
    for (const auto& r : h->hosts)
      if (r.kind == ast::HostKind::Group) visit(r.text, r.range);
  }
  stack.pop_back();
  done.insert(name);
}

}  // namespace

void check_definitions(Context& ctx) {
  // Validation evaluates and expands definitions, which marks what they reference as used; that
  // is not a use by a rule, so the marks are restored afterwards.
  std::map<std::string, bool> used_before;
  for (const auto& [name, def] : ctx.defs) used_before[name] = def.used;
  std::vector<std::string> stack;
  std::set<std::string> done;
  for (const auto& entry : ctx.defs) check_cycles(ctx, entry.first, stack, done);
  for (auto& entry : ctx.defs) {
    const std::string& name = entry.first;
    Definition& def = entry.second;
    std::set<std::string> seen;
    auto duplicate = [&](const std::string& key, ast::SourceRange r) {
      if (!seen.insert(key).second)
        ctx.diags.report(Code::DuplicateEntry, r, "`" + key + "` is listed twice in `@" + name + "`");
    };
    if (def.group != nullptr) {
      for (const ast::GroupMember& m : def.group->members) duplicate((m.is_group ? "@" : "") + m.name.text, m.range);
    } else if (def.hosts != nullptr) {
      // Every member is validated here, so a host set is checked even if nothing uses it yet.
      for (const ast::HostRef& h : def.hosts->hosts) {
        duplicate(h.kind == ast::HostKind::Group ? "@" + h.text : h.text, h.range);
        if (h.kind != ast::HostKind::Group) parse_host(ctx, h);
      }
    } else if (def.constant != nullptr) {
      // Constants are evaluated per architecture where they are used; evaluating once here
      // surfaces unknown names in definitions nothing uses yet. `used` is restored because this
      // evaluation is not a use.
      eval_constant(ctx, *def.constant->value, ctx.targets.empty() ? arch::Arch::x86_64 : ctx.targets.front());
    }
  }
  for (auto& [name, def] : ctx.defs) def.used = used_before[name];
}

}  // namespace polc::sema
