// Stage: sema. Syscall rules: targets and groups expanded, names resolved per arch, conditions and
// actions resolved per arch and normalized to DNF.
#include "compiler/sema/syscall_rules.h"

#include <set>

#include "compiler/sema/conditions.h"
#include "compiler/sema/size_limits.h"
#include "compiler/sema/syscall_table.h"

namespace polc::sema {

using diag::Code;

inline constexpr size_t kMaxClauses = 1024;

std::vector<ArchSyscall> resolve_syscall_name(Context& ctx, const std::string& name, bool optional,
                                              ast::SourceRange range, bool report_missing) {
  std::vector<ArchSyscall> out;
  if (!is_known_syscall(name)) {
    auto& d = ctx.diags.report(Code::UnknownSyscall, range, "unknown syscall `" + name + "`");
    if (auto s = closest_syscall(name); !s.empty()) d.with_help("did you mean `" + s + "`?").fix(range, s);
    return out;
  }
  std::string missing;
  for (arch::Arch a : ctx.targets) {
    if (auto nr = syscall_number(name, a)) out.push_back({a, *nr});
    else missing += (missing.empty() ? "" : ", ") + std::string(arch::name(a));
  }
  if (!missing.empty() && !optional && report_missing) {
    ctx.diags.report(Code::SyscallNotOnArch, range, "syscall `" + name + "` does not exist on " + missing)
        .with_help("write `" + name + "?` to apply this only where the architecture has it");
  }
  return out;
}

void check_groups(Context& ctx) {
  for (const auto& [name, def] : ctx.defs) {
    if (def.kind != Definition::Kind::Group) continue;
    for (const ast::GroupMember& m : def.group->members)
      if (!m.is_group) resolve_syscall_name(ctx, m.name.text, m.optional, m.name.range, true);
  }
}

namespace {

ir::ArchFilter& filter_for(Context& ctx, arch::Arch a) {
  for (auto& f : ctx.policy.syscalls.arches)
    if (f.arch == a) return f;
  ctx.policy.syscalls.arches.push_back({a, {}});
  return ctx.policy.syscalls.arches.back();
}

void add_rule(Context& ctx, size_t unit, const ast::SyscallRule& rule, const ast::SyscallTarget& target,
              const std::string& syscall, const std::vector<ArchSyscall>& resolved) {
  for (const ArchSyscall& as : resolved) {
    auto action = resolve_action(ctx, rule.action, rule.trailing_errno.get(), rule.trailing_errno_range, as.arch);
    if (!action) return;
    std::optional<ir::BoolExpr> cond = ir::BoolExpr::truth();
    if (!target.is_group) cond = resolve_condition(ctx, target, as.arch);
    if (!cond) return;
    auto dnf = ir::to_dnf(*cond, kMaxClauses);
    if (dnf && dnf->empty()) {
      ctx.diags
          .report(Code::RuleMatchesNothing, target.range,
                  "this condition can never be true on " + std::string(arch::name(as.arch)))
          .with_help("check the comparisons: the rule has no effect as written");
    }
    if (!dnf) {
      ctx.diags
          .report(Code::ConditionTooComplex, target.range,
                  "this condition expands to more than " + std::to_string(kMaxClauses) + " alternatives")
          .with_help("split the rule into several rules, or use `arg in {...}` sets");
      return;
    }
    if (!admit(ctx, SizeKind::SyscallRules, 1, target.range)) return;
    filter_for(ctx, as.arch)
        .rules.push_back({syscall, as.nr, *action, std::move(*dnf), {ctx.origin(unit, target.range)}});
  }
}

}  // namespace

void lower_syscall_rules(Context& ctx, size_t unit, const Exclusions& ex) {
  const bool in_root_policy = unit == 0 && ctx.unit(0).ast.kind == ast::UnitKind::Policy;
  for (const ast::Item& item : ctx.unit(unit).ast.items) {
    const auto* section = std::get_if<ast::SyscallsSection>(&item);
    if (section == nullptr) continue;
    for (const ast::SyscallStmt& st : section->stmts) {
      if (ctx.over_size_limit) return;
      const auto* rule = std::get_if<ast::SyscallRule>(&st);
      if (rule == nullptr) continue;
      std::set<std::string> seen;
      for (const ast::SyscallTarget& t : rule->targets) {
        const std::string key = (t.is_group ? "@" : "") + t.name.text;
        if (!t.has_parens && !seen.insert(key).second) {
          ctx.diags.report(Code::DuplicateEntry, t.range, "`" + key + "` is listed twice in this rule");
        }
        if (t.is_group) {
          if (t.has_parens) {
            ctx.diags.report(Code::ConditionOnGroup, t.range, "a group cannot take argument conditions");
            continue;
          }
          for (const GroupMemberRef& m : expand_group(ctx, t.name.text, t.name.range)) {
            if (ex.syscalls.count(m.syscall) != 0) continue;
            add_rule(ctx, unit, *rule, t, m.syscall, resolve_syscall_name(ctx, m.syscall, true, m.range, false));
          }
          continue;
        }
        if (ex.syscalls.count(t.name.text) != 0) continue;
        auto resolved = resolve_syscall_name(ctx, t.name.text, t.optional, t.name.range, true);
        if (in_root_policy && t.optional && !resolved.empty() && resolved.size() == ctx.targets.size()) {
          ctx.diags
              .report(Code::RedundantOptional, t.name.range,
                      "every target has `" + t.name.text + "`, so `?` has no effect")
              .with_help("drop the `?`");
        }
        add_rule(ctx, unit, *rule, t, t.name.text, resolved);
      }
    }
  }
}

}  // namespace polc::sema
