// Stage: sema. Collects groups, host sets and constants from every loaded unit into one namespace,
// and expands groups and host sets (recursively, with cycle detection).
#include <algorithm>
#include <functional>
#include <set>

#include "compiler/sema/conditions.h"
#include "compiler/sema/context.h"
#include "compiler/sema/net_values.h"
#include "compiler/sema/suggest.h"
#include "compiler/sema/syscall_table.h"

namespace polc::sema {

using diag::Code;

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
        ctx.diags.report(Code::DuplicateDefinition, here.range, "`" + std::string(is_const ? "" : "@") + name + "` is defined twice")
            .note(other.range, ctx.unit(other.unit).module.empty() ? "also defined here"
                                                                    : "also defined in `" + ctx.unit(other.unit).module + "`")
            .with_help("rename one of the two definitions");
      }
    }
  }
}

namespace {

// Shared depth-first expansion for groups and host sets: `visit_member` handles one member and may
// recurse through `expand` for nested sets.
template <typename Out>
void expand_set(Context& ctx, const std::string& name, ast::SourceRange use, Definition::Kind kind,
                std::vector<std::string>& stack, Out& out,
                const std::function<void(const Definition&, std::vector<std::string>&, Out&)>& members) {
  Definition* def = ctx.lookup(name);
  if (def == nullptr) {
    auto& d = ctx.diags.report(Code::UnknownGroup, use, "no group or host set named `@" + name + "`");
    std::vector<std::string_view> names;
    for (const auto& [n, dd] : ctx.defs)
      if (dd.kind == kind) names.push_back(n);
    if (auto s = closest_match(name, names); !s.empty()) d.with_help("did you mean `@" + s + "`?").fix(use, "@" + s);
    else if (kind == Definition::Kind::Group) d.with_help("the standard groups are defined in std.groups: `import std.groups`");
    return;
  }
  def->used = true;
  if (def->kind != kind) {
    auto kind_name = [](Definition::Kind k) {
      return k == Definition::Kind::Group ? "syscall group" : k == Definition::Kind::Hosts ? "host set" : "constant";
    };
    ctx.diags.report(Code::WrongKindOfName, use,
                     "`" + name + "` is a " + kind_name(def->kind) + ", but a " + kind_name(kind) + " is needed here")
        .note(def->range, "defined here");
    return;
  }
  // Cycles are reported once, by check_definitions; an expansion just stops at one.
  if (std::find(stack.begin(), stack.end(), name) != stack.end()) return;
  stack.push_back(name);
  members(*def, stack, out);
  stack.pop_back();
}

}  // namespace

std::vector<GroupMemberRef> expand_group(Context& ctx, const std::string& name, ast::SourceRange use) {
  std::vector<GroupMemberRef> out;
  std::vector<std::string> stack;
  std::function<void(const Definition&, std::vector<std::string>&, std::vector<GroupMemberRef>&)> members =
      [&](const Definition& def, std::vector<std::string>& st, std::vector<GroupMemberRef>& o) {
        for (const ast::GroupMember& m : def.group->members) {
          if (m.is_group) {
            expand_set(ctx, m.name.text, m.name.range, Definition::Kind::Group, st, o, members);
          } else {
            o.push_back({m.name.text, m.optional, m.name.range});
          }
        }
      };
  expand_set(ctx, name, use, Definition::Kind::Group, stack, out, members);
  return out;
}

std::vector<ir::Host> expand_hosts(Context& ctx, const std::string& name, ast::SourceRange use) {
  std::vector<ir::Host> out;
  std::vector<std::string> stack;
  std::function<void(const Definition&, std::vector<std::string>&, std::vector<ir::Host>&)> members =
      [&](const Definition& def, std::vector<std::string>& st, std::vector<ir::Host>& o) {
        for (const ast::HostRef& h : def.hosts->hosts) {
          if (h.kind == ast::HostKind::Group) {
            expand_set(ctx, h.text, h.range, Definition::Kind::Hosts, st, o, members);
          } else if (auto host = parse_host(ctx, h)) {
            o.push_back(*host);
          }
        }
      };
  expand_set(ctx, name, use, Definition::Kind::Hosts, stack, out, members);
  return out;
}

}  // namespace polc::sema

namespace polc::sema {

namespace {

// Reports every group or host set that includes itself, whether or not anything uses it.
void check_cycles(Context& ctx, const std::string& name, std::vector<std::string>& stack, std::set<std::string>& done) {
  if (done.count(name) != 0) return;
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
  std::vector<std::string> stack;
  std::set<std::string> done;
  for (const auto& entry : ctx.defs) check_cycles(ctx, entry.first, stack, done);
  for (auto& entry : ctx.defs) {
    const std::string& name = entry.first;
    Definition& def = entry.second;
    std::set<std::string> seen;
    auto duplicate = [&](const std::string& key, ast::SourceRange r) {
      if (!seen.insert(key).second) ctx.diags.report(Code::DuplicateEntry, r, "`" + key + "` is listed twice in `@" + name + "`");
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
      const bool used = def.used;
      eval_constant(ctx, *def.constant->value, ctx.targets.empty() ? arch::Arch::x86_64 : ctx.targets.front());
      def.used = used;
    }
  }
}

}  // namespace polc::sema
