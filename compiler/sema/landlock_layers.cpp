// Stage: sema. Landlock's layers beyond filesystem rights: `landlock scope` (IPC the sandbox may
// not aim outside itself, ABI 6) and `landlock best_effort` (layers newer than the policy's
// minimum ABI that launchers may drop on older kernels). Without `best_effort`, a layer the
// minimum ABI cannot provide is an error: the policy would otherwise promise more than the
// kernels it claims to support can enforce.
#include <span>

#include "compiler/ir/landlock_names.h"
#include "compiler/sema/context.h"
#include "compiler/sema/suggest.h"

namespace polc::sema {

using diag::Code;

namespace {

uint64_t resolve_names(Context& ctx, const std::vector<ast::Name>& names, std::span<const ir::LandlockName> table,
                       std::string_view what) {
  uint64_t bits = 0;
  std::set<std::string> seen;
  for (const ast::Name& n : names) {
    if (!seen.insert(n.text).second) {
      ctx.diags.report(Code::DuplicateEntry, n.range, "`" + n.text + "` is listed twice");
      continue;
    }
    const ir::LandlockName* found = nullptr;
    for (const ir::LandlockName& nb : table)
      if (nb.name == n.text) found = &nb;
    if (found != nullptr) {
      bits |= found->bit;
      continue;
    }
    std::vector<std::string_view> known;
    std::string list;
    for (const ir::LandlockName& nb : table) {
      known.push_back(nb.name);
      list += (list.empty() ? "" : ", ") + std::string(nb.name);
    }
    auto& d = ctx.diags.report(Code::UnknownLandlockName, n.range,
                               "unknown Landlock " + std::string(what) + " `" + n.text + "`");
    d.note("known: " + list);
    if (auto s = closest_match(n.text, known); !s.empty()) d.with_help("did you mean `" + s + "`?").fix(n.range, s);
  }
  return bits;
}

}  // namespace

void lower_landlock_layers(Context& ctx, size_t unit) {
  auto& fs = ctx.policy.filesystem;
  const bool is_policy = ctx.unit(unit).ast.kind == ast::UnitKind::Policy;
  for (const ast::Item& item : ctx.unit(unit).ast.items) {
    const auto* section = std::get_if<ast::FilesystemSection>(&item);
    if (section == nullptr) continue;
    for (const ast::FsStmt& st : section->stmts) {
      if (const auto* sc = std::get_if<ast::LandlockScope>(&st)) {
        const uint64_t bits = resolve_names(ctx, sc->scopes, ir::kScopeNames, "scope");
        if (bits == 0) continue;
        fs.scopes |= bits;
        // A module imported twice (with different `without` lists) is lowered twice.
        ir::Origin o = ctx.origin(unit, sc->range);
        if (std::find(fs.scope_origins.begin(), fs.scope_origins.end(), o) == fs.scope_origins.end())
          fs.scope_origins.push_back(std::move(o));
      } else if (const auto* b = std::get_if<ast::LandlockBestEffort>(&st)) {
        // Only the policy decides which of its layers may be dropped: a module that made them
        // optional would quietly weaken every policy importing it on older kernels.
        if (!is_policy) {
          ctx.diags.report(Code::NotAllowedInModule, b->range, "a module cannot make Landlock layers best effort")
              .with_help("move `landlock best_effort` into the policy");
          continue;
        }
        fs.best_effort |= resolve_names(ctx, b->layers, ir::kLayerNames, "layer");
      }
    }
  }
}

void check_landlock_layers(Context& ctx) {
  auto& fs = ctx.policy.filesystem;
  // Any filesystem section restricts the filesystem, so it needs an ABI even without access rules
  // (`filesystem {}` means "no file access"; scopes alone still need a Landlock ruleset).
  if (fs.present && fs.min_abi == 0 && !ctx.reported_missing_abi && ctx.first_fs_section) {
    ctx.reported_missing_abi = true;
    ctx.diags
        .report(Code::MissingLandlockAbi, *ctx.first_fs_section, "this filesystem section needs a minimum Landlock ABI")
        .with_help("add `landlock abi >= 3` (Linux 6.2) or the lowest ABI your hosts provide to the section");
  }
  if (fs.scopes == 0 || fs.min_abi >= ir::kScopeAbi || (fs.best_effort & ir::layer::kScope) != 0) return;
  ctx.diags
      .report(Code::RightNeedsNewerAbi, fs.scope_origins.front().range,
              "Landlock scopes need ABI " + std::to_string(ir::kScopeAbi) + ", but the policy requires only ABI " +
                  std::to_string(fs.min_abi))
      .note("a launcher on an older kernel could not keep this promise")
      .with_help(
          "raise the minimum with `landlock abi >= 6`, or add `landlock best_effort scope` to the policy's "
          "filesystem section to apply scopes where the kernel has them");
}

}  // namespace polc::sema
