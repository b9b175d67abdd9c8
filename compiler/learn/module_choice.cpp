// Stage: learn. Module choice; the rule is in module_choice.h.
#include "compiler/learn/module_choice.h"

#include <map>
#include <set>

#include "compiler/ir/evaluate.h"
#include "compiler/learn/compile_text.h"
#include "compiler/sema/stdlib.h"
#include "compiler/verify/fs_diff.h"
#include "compiler/verify/net_diff.h"
#include "compiler/verify/syscall_diff.h"

namespace polc::learn {
namespace {

constexpr size_t kMinCovered = 8;
constexpr size_t kExtraPerCovered = 4;

struct Probe {
  std::string module;
  std::unique_ptr<Compiled> compiled;
  std::set<std::string> allowed_names;  // names with an allow or log rule on some target
};

bool allows(const ir::Policy& p, const Call& c) {
  ir::SyscallDecision d = ir::decide(p, arch::audit_arch(c.arch), c.nr, c.args);
  return d.reason != ir::SyscallDecision::Reason::Foreign &&
         (d.action.kind == ir::ActionKind::Allow || d.action.kind == ir::ActionKind::Log);
}

}  // namespace

bool widens(const ir::Policy& within, const ir::Policy& policy) {
  for (auto* part : {&verify::diff_syscalls, &verify::diff_filesystem, &verify::diff_network})
    for (const verify::DiffEntry& e : (*part)(within, policy))
      if (e.widened) return true;
  return false;
}

std::string targets_text(std::span<const arch::Arch> targets) {
  std::string out = "targets ";
  for (size_t i = 0; i < targets.size(); ++i) out += (i ? ", " : "") + std::string(arch::name(targets[i]));
  return out;
}

std::vector<ModuleChoice> choose_modules(std::span<const Call* const> calls, std::span<const arch::Arch> targets,
                                         const ir::Policy* within) {
  std::vector<Probe> probes;
  for (const sema::StdlibModule& m : sema::embedded_stdlib()) {
    std::string_view name = m.name;
    if (name.rfind("std.runtime.", 0) != 0 && name.rfind("std.lang.", 0) != 0 && name.rfind("std.tools.", 0) != 0)
      continue;
    Probe p{std::string(name),
            compile_text("policy probe version 1 {\n  " + targets_text(targets) + "\n  import " + std::string(name) +
                             "\n  syscalls {\n    default errno(EPERM)\n  }\n}\n",
                         "probe.sbx"),
            {}};
    if (!p.compiled->policy) continue;
    if (within && widens(*within, *p.compiled->policy)) continue;
    for (const ir::ArchFilter& f : p.compiled->policy->syscalls.arches)
      for (const ir::SyscallRule& r : f.rules)
        if (r.action.kind == ir::ActionKind::Allow || r.action.kind == ir::ActionKind::Log)
          p.allowed_names.insert(r.syscall);
    probes.push_back(std::move(p));
  }

  std::map<std::string, std::vector<const Call*>> by_name;
  for (const Call* c : calls) by_name[c->name].push_back(c);
  std::set<std::string> uncovered;
  for (const auto& [name, list] : by_name) uncovered.insert(name);
  std::set<std::string> granted;  // names the chosen modules allow
  std::vector<ModuleChoice> chosen;
  std::set<std::string> taken;

  for (;;) {
    const Probe* best = nullptr;
    ModuleChoice best_choice;
    long best_score = 0;
    for (const Probe& p : probes) {
      if (taken.count(p.module)) continue;
      ModuleChoice c{p.module, 0, 0};
      for (const std::string& name : uncovered) {
        bool all = true;
        for (const Call* call : by_name[name]) all = all && allows(*p.compiled->policy, *call);
        c.covered += all;
      }
      for (const std::string& name : p.allowed_names) c.extra += !by_name.count(name) && !granted.count(name);
      bool importable = c.covered >= kMinCovered && c.covered * 4 >= by_name.size() &&
                        c.extra <= kExtraPerCovered * c.covered;
      long score = static_cast<long>(kExtraPerCovered * c.covered) - static_cast<long>(c.extra);
      if (importable && (best == nullptr || score > best_score)) {
        best = &p;
        best_choice = c;
        best_score = score;
      }
    }
    if (best == nullptr) break;
    taken.insert(best->module);
    chosen.push_back(best_choice);
    granted.insert(best->allowed_names.begin(), best->allowed_names.end());
    for (auto it = uncovered.begin(); it != uncovered.end();) {
      bool all = true;
      for (const Call* call : by_name[*it]) all = all && allows(*best->compiled->policy, *call);
      it = all ? uncovered.erase(it) : std::next(it);
    }
  }
  return chosen;
}

}  // namespace polc::learn
