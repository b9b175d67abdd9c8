// Stage: sema. Filesystem access rules lowered to IR path rules with Landlock rights.
#include "compiler/sema/fs_values.h"
#include "compiler/sema/size_limits.h"

namespace polc::sema {

using diag::Code;

void lower_fs_rules(Context& ctx, size_t unit, const Exclusions& ex) {
  auto& fs = ctx.policy.filesystem;
  for (const ast::Item& item : ctx.unit(unit).ast.items) {
    const auto* section = std::get_if<ast::FilesystemSection>(&item);
    if (section == nullptr) continue;
    fs.present = true;
    if (!ctx.first_fs_section) ctx.first_fs_section = section->range;
    for (const ast::FsStmt& st : section->stmts) {
      const auto* rule = std::get_if<ast::AccessRule>(&st);
      if (rule == nullptr) continue;
      if (fs.min_abi == 0 && !ctx.reported_missing_abi) {
        ctx.reported_missing_abi = true;
        ctx.diags.report(Code::MissingLandlockAbi, rule->range, "filesystem rules need a minimum Landlock ABI")
            .with_help(
                "add `landlock abi >= 3` (Linux 6.2) or the lowest ABI your hosts provide to the filesystem section");
      }
      auto rights = resolve_rights(ctx, rule->rights, fs.min_abi);
      std::set<std::string> seen;
      for (const ast::StringLit& path : rule->paths) {
        if (!seen.insert(path.value).second) {
          ctx.diags.report(Code::DuplicateEntry, path.range,
                           "path \"" + path.value + "\" is listed twice in this rule");
          continue;
        }
        if (ex.strings.count(path.value) != 0) continue;
        if (!check_path(ctx, path) || !rights) continue;
        if (!admit(ctx, SizeKind::FsPaths, 1, path.range)) return;
        fs.rules.push_back({path.value, *rights, rule->deny, {ctx.origin(unit, rule->range)}});
      }
    }
  }
}

}  // namespace polc::sema
