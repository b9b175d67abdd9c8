// Stage: sema. Statements that shape the whole policy: `targets`, the syscall `default`, and the
// Landlock ABI minimum. Each may appear once per file; targets and default only in the policy.
#include "compiler/sema/context.h"
#include "compiler/sema/conditions.h"

namespace polc::sema {

using diag::Code;

namespace {

void resolve_targets(Context& ctx, const ast::Targets& t, const ast::Targets*& first) {
  if (first != nullptr) {
    ctx.diags.report(Code::DuplicateStatement, t.range, "`targets` is already given")
        .note(first->range, "first given here")
        .with_help("list every architecture in one `targets` statement");
    return;
  }
  first = &t;
  for (const ast::Name& n : t.arches) {
    auto a = arch::from_name(n.text);
    if (!a) {
      auto& d = ctx.diags.report(Code::UnknownArch, n.range, "unknown target architecture `" + n.text + "`");
      d.note("supported: " + std::string(arch::supported_list()));
      if (n.text == "amd64") d.with_help("did you mean `x86_64`?").fix(n.range, "x86_64");
      else if (n.text == "arm64") d.with_help("did you mean `aarch64`?").fix(n.range, "aarch64");
      else if (n.text == "i386" || n.text == "i686") d.with_help("did you mean `x86`?").fix(n.range, "x86");
      continue;
    }
    if (std::find(ctx.targets.begin(), ctx.targets.end(), *a) != ctx.targets.end()) {
      ctx.diags.report(Code::DuplicateEntry, n.range, "`" + n.text + "` is listed twice");
      continue;
    }
    ctx.targets.push_back(*a);
  }
}

}  // namespace

void resolve_header(Context& ctx) {
  const Unit& root = ctx.unit(0);
  const ast::Targets* first_targets = nullptr;
  const ast::SyscallDefault* policy_default = nullptr;
  for (size_t u = 0; u < ctx.program.units.size(); ++u) {
    const Unit& unit = ctx.unit(u);
    const bool is_policy = unit.ast.kind == ast::UnitKind::Policy;
    const ast::SyscallDefault* first_default = nullptr;
    const ast::LandlockAbi* first_abi = nullptr;
    for (const ast::Item& item : unit.ast.items) {
      if (const auto* t = std::get_if<ast::Targets>(&item)) {
        if (!is_policy) {
          ctx.diags.report(Code::NotAllowedInModule, t->range, "a module cannot set `targets`")
              .with_help("the policy that imports this module chooses its targets");
          continue;
        }
        resolve_targets(ctx, *t, first_targets);
      } else if (const auto* s = std::get_if<ast::SyscallsSection>(&item)) {
        for (const ast::SyscallStmt& st : s->stmts) {
          const auto* d = std::get_if<ast::SyscallDefault>(&st);
          if (d == nullptr) continue;
          if (!is_policy) {
            ctx.diags.report(Code::NotAllowedInModule, d->range, "a module cannot set the syscall `default`")
                .with_help("move `default` into the policy");
          } else if (first_default != nullptr) {
            ctx.diags.report(Code::DuplicateStatement, d->range, "the syscall `default` is already set")
                .note(first_default->range, "first set here");
          } else {
            first_default = d;
          }
        }
      } else if (const auto* f = std::get_if<ast::FilesystemSection>(&item)) {
        for (const ast::FsStmt& st : f->stmts) {
          const auto* abi = std::get_if<ast::LandlockAbi>(&st);
          if (abi == nullptr) continue;
          if (first_abi != nullptr) {
            ctx.diags.report(Code::DuplicateStatement, abi->range, "`landlock abi` is already set")
                .note(first_abi->range, "first set here");
            continue;
          }
          first_abi = abi;
          if (abi->abi < 1 || abi->abi > ir::kMaxLandlockAbi) {
            ctx.diags
                .report(Code::BadLandlockAbi, abi->value_range,
                        "Landlock ABI " + std::to_string(abi->abi) + " does not exist")
                .with_help("Landlock ABI versions are 1 to " + std::to_string(ir::kMaxLandlockAbi));
            ctx.reported_missing_abi = true;  // the rules below would only echo this error
            continue;
          }
          // Modules may require a newer ABI than the policy; the strongest requirement wins.
          if (abi->abi > ctx.policy.filesystem.min_abi) {
            ctx.policy.filesystem.min_abi = static_cast<unsigned>(abi->abi);
            ctx.policy.filesystem.abi_origin = ctx.origin(u, abi->range);
          }
        }
      }
    }
    if (is_policy) policy_default = first_default;
  }
  if (policy_default != nullptr && !ctx.targets.empty()) {
    // Resolved against the first target: errno names mean the same on every supported arch.
    if (auto a = resolve_action(ctx, policy_default->action, nullptr, {}, ctx.targets.front())) {
      ctx.policy.syscalls.default_action = *a;
      ctx.policy.syscalls.default_written = true;
      ctx.policy.syscalls.default_origin = ctx.origin(0, policy_default->range);
    }
  }
  if (root.ast.kind == ast::UnitKind::Policy && first_targets == nullptr) {
    ctx.diags
        .report(Code::MissingTargets, root.ast.name_range,
                "policy `" + root.ast.name + "` does not name its target architectures")
        .with_help("add `targets x86_64` (or the architectures you run on) to the policy");
  }
}

}  // namespace polc::sema
