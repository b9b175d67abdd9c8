// Stage: ir. Concrete evaluation of the syscall section (see evaluate.h).
#include "compiler/ir/evaluate.h"

#include <algorithm>

#include "compiler/arch/arch.h"

namespace polc::ir {

bool holds(const ArgCmp& cmp, uint64_t reg) {
  const uint64_t x = reg & arch::width_mask(cmp.width);
  switch (cmp.op) {
    case CmpOp::Eq: return x == cmp.value;
    case CmpOp::Ne: return x != cmp.value;
    case CmpOp::Lt: return x < cmp.value;
    case CmpOp::Le: return x <= cmp.value;
    case CmpOp::Gt: return x > cmp.value;
    case CmpOp::Ge: return x >= cmp.value;
    case CmpOp::MaskedEq: return (x & cmp.mask) == cmp.value;
    case CmpOp::MaskedNe: return (x & cmp.mask) != cmp.value;
  }
  return false;
}

bool holds(const Clause& clause, const std::array<uint64_t, 6>& args) {
  return std::all_of(clause.begin(), clause.end(), [&](const ArgCmp& c) { return c.arg < 6 && holds(c, args[c.arg]); });
}

bool holds(const std::vector<Clause>& when, const std::array<uint64_t, 6>& args) {
  return std::any_of(when.begin(), when.end(), [&](const Clause& c) { return holds(c, args); });
}

std::optional<arch::Arch> call_target(std::span<const arch::Arch> targets, uint32_t audit_arch, int32_t nr) {
  auto has = [&](arch::Arch a) { return std::find(targets.begin(), targets.end(), a) != targets.end(); };
  auto target = arch::from_audit_arch(audit_arch, nr);
  if (target == arch::Arch::x86_64 && nr == -1 && !has(arch::Arch::x86_64) && has(arch::Arch::x32))
    target = arch::Arch::x32;
  if (!target || !has(*target)) return std::nullopt;
  return target;
}

SyscallDecision decide(const Policy& policy, uint32_t audit_arch, int32_t nr, const std::array<uint64_t, 6>& args) {
  SyscallDecision d;
  const auto target = call_target(policy.targets, audit_arch, nr);
  const ArchFilter* filter = nullptr;
  if (target)
    for (const ArchFilter& f : policy.syscalls.arches)
      if (f.arch == *target) filter = &f;
  if (!filter) {
    d.action = {ActionKind::KillProcess, 0};
    d.reason = SyscallDecision::Reason::Foreign;
    return d;
  }
  d.action = policy.syscalls.default_action;
  auto first = std::lower_bound(filter->rules.begin(), filter->rules.end(), nr,
                                [](const SyscallRule& r, int32_t n) { return r.nr < n; });
  bool any = false;
  for (auto it = first; it != filter->rules.end() && it->nr == nr; ++it) {
    if (!holds(it->when, args)) continue;
    d.matched.push_back(&*it);
    if (!any || more_restrictive(it->action, d.action)) d.action = it->action;
    any = true;
  }
  if (any) d.reason = SyscallDecision::Reason::Rules;
  return d;
}

}  // namespace polc::ir
