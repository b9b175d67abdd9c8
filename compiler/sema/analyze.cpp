// Stage: sema. Orchestrates the passes: load, definitions, header, rule lowering per import path
// (with `without` exclusions), queries, and canonical ordering of the result.
#include "compiler/sema/analyze.h"

#include <set>

#include "compiler/sema/context.h"
#include "compiler/sema/mentions.h"
#include "compiler/sema/multiplexers.h"
#include "compiler/sema/syscall_rules.h"

namespace polc::sema {

using diag::Code;

ir::Origin Context::origin(size_t unit_index, ast::SourceRange range) const {
  const Unit& u = unit(unit_index);
  ir::Origin o;
  o.range = range;
  o.module = u.module;
  const auto lc = diags.sources().line_col(range.file, range.begin);
  o.where = diags.sources().path(range.file) + ":" + std::to_string(lc.line);
  return o;
}

namespace {

// What `without` removes, resolved: syscall names (groups expanded) and strings (paths, hosts).
Exclusions resolve_without(Context& ctx, const ast::Import& imp) {
  Exclusions ex;
  for (const ast::WithoutRef& w : imp.without) {
    if (w.kind == ast::WithoutKind::Group) {
      if (const Definition* def = ctx.lookup(w.text); def != nullptr && def->kind == Definition::Kind::Hosts) {
        for (const ir::Host& h : expand_hosts(ctx, w.text, w.range)) ex.strings.insert(ir::host_to_string(h));
      } else {
        for (const GroupMemberRef& m : expand_group(ctx, w.text, w.range)) ex.syscalls.insert(m.syscall);
      }
    } else if (w.kind == ast::WithoutKind::String) {
      ex.strings.insert(w.text);
    } else {
      ex.syscalls.insert(w.text);
    }
  }
  return ex;
}

class RuleCollector {
 public:
  explicit RuleCollector(Context& ctx) : ctx_(ctx) {}

  // Lowers the rules of `unit` and of everything it imports, excluding `ex` (accumulated along
  // the import path). Each (unit, exclusions) pair is visited once.
  void visit(size_t unit, const Exclusions& ex) {
    if (!visited_.insert({unit, ex}).second) return;
    lower_syscall_rules(ctx_, unit, ex);
    lower_fs_rules(ctx_, unit, ex);
    lower_net_rules(ctx_, unit, ex);
    lower_landlock_layers(ctx_, unit);
    for (const ImportEdge& edge : ctx_.unit(unit).imports) {
      Exclusions child = ex;
      if (!edge.stmt->without.empty() && edge.stmt->refs.size() > 1) {
        // Reported once per statement (at its first module); the exclusions are not applied.
        if (edge.ref == &edge.stmt->refs.front())
          ctx_.diags
              .report(Code::WithoutOnSeveralImports, edge.stmt->without.front().range,
                      "`without` applies to an import of one module, but this import names " +
                          std::to_string(edge.stmt->refs.size()))
              .with_help("import the module that needs exceptions on its own line");
      } else if (!edge.stmt->without.empty()) {
        const Exclusions own = resolve_without(ctx_, *edge.stmt);
        check_without(edge);
        child.syscalls.insert(own.syscalls.begin(), own.syscalls.end());
        child.strings.insert(own.strings.begin(), own.strings.end());
      }
      visit(edge.target, child);
    }
  }

 private:
  // A `without` item must name something the import really brings. What the imported closure
  // mentions is collected by a walk that reads the rules without resolving them, so it reports
  // nothing (the real lowering reports each problem once).
  void check_without(const ImportEdge& edge) {
    if (!checked_.insert(edge.ref).second) return;
    const Mentions mentions = collect_mentions(ctx_, edge.target);
    for (const ast::WithoutRef& w : edge.stmt->without) {
      bool found;
      if (w.kind == ast::WithoutKind::Group) {
        found = mentions.groups.count(w.text) != 0;
      } else if (w.kind == ast::WithoutKind::String) {
        found = mentions.strings.count(w.text) != 0;
      } else {
        found = mentions.syscalls.count(w.text) != 0;
      }
      if (!found) {
        ctx_.diags
            .report(Code::WithoutNotInImport, w.range,
                    "`" + edge.ref->text + "` does not mention `" + (w.kind == ast::WithoutKind::Group ? "@" : "") +
                        w.text + "`")
            .with_help("remove it from the `without` list");
      }
    }
  }

  Context& ctx_;
  std::set<std::pair<size_t, Exclusions>> visited_;
  std::set<const ast::ImportRef*> checked_;
};

void report_unused(Context& ctx) {
  // After an error, "unused" mostly means "not reached because of the error": say nothing.
  if (ctx.diags.has_errors()) return;
  for (const auto& [name, def] : ctx.defs) {
    if (def.unit != 0 || def.used || ctx.checking_module) continue;
    const bool is_const = def.kind == Definition::Kind::Const;
    ctx.diags
        .report(Code::UnusedDefinition, def.range, "`" + std::string(is_const ? "" : "@") + name + "` is never used")
        .with_help("remove it, or use it in a rule");
  }
}

// The policy's name becomes file and table names when it is built (E0117's explanation lists
// them); `check` refuses what `build` could not write. The grammar already limits its characters
// to [A-Za-z0-9_], which are safe in every one of those names; the length is what is left.
void check_policy_name(Context& ctx, const ast::File& file) {
  if (file.kind != ast::UnitKind::Policy || file.name.size() <= kMaxPolicyNameLength) return;
  ctx.diags
      .report(Code::PolicyNameUnusable, file.name_range,
              "the policy name is " + std::to_string(file.name.size()) + " characters long; at most " +
                  std::to_string(kMaxPolicyNameLength) + " can name its bundle")
      .with_help("choose a name of at most " + std::to_string(kMaxPolicyNameLength) + " characters");
}

}  // namespace

std::optional<ir::Policy> analyze(diag::Engine& diags, diag::FileId root, const std::filesystem::path& root_path,
                                  const Options& options) {
  auto program = load_program(diags, root, root_path, options.load);
  if (!program) return std::nullopt;
  if (options.sources_out != nullptr) *options.sources_out = loaded_sources(*program, diags.sources());
  const size_t errors_before = diags.error_count();
  const ast::File& file = program->units[0]->ast;

  Context ctx(diags, *program, file.kind == ast::UnitKind::Module);
  ctx.policy.name = file.name;
  check_policy_name(ctx, file);
  ctx.policy.version = file.version;
  collect_definitions(ctx);
  resolve_header(ctx);
  if (ctx.checking_module) ctx.targets.assign(arch::kAllArches.begin(), arch::kAllArches.end());
  std::sort(ctx.targets.begin(), ctx.targets.end());
  ctx.policy.targets = ctx.targets;
  for (arch::Arch a : ctx.targets) ctx.policy.syscalls.arches.push_back({a, {}});
  for (size_t u = 1; u < program->units.size(); ++u) ctx.policy.modules.push_back(program->units[u]->module);

  check_groups(ctx);
  check_definitions(ctx);
  RuleCollector(ctx).visit(0, {});
  // Over the documented size: nothing after this point is bounded, so stop here (E0007).
  if (ctx.over_size_limit) return std::nullopt;
  if (ctx.policy.filesystem.min_abi > 0)
    ctx.policy.filesystem.handled = ir::fs_rights_for_abi(ctx.policy.filesystem.min_abi);
  check_landlock_layers(ctx);
  check_proxy(ctx);
  lower_os(ctx);
  lint_fs_effects(ctx);
  add_implicit_network_denies(ctx);
  lower_queries(ctx, options.extra_tests);
  report_unused(ctx);
  ir::canonicalize(ctx.policy);
  check_multiplexers(diags, ctx.policy);

  if (diags.error_count() > errors_before || ctx.checking_module) return std::nullopt;
  return std::move(ctx.policy);
}

}  // namespace polc::sema
