// Stage: verify. Syscall assertions (see syscall_assertions.h).
#include "compiler/verify/syscall_assertions.h"

#include "compiler/ir/evaluate.h"
#include "compiler/verify/solver.h"
#include "compiler/verify/syscall_model.h"

namespace polc::verify {

namespace {

const ir::ArchFilter* filter_of(const ir::Policy& policy, arch::Arch a) {
  for (const ir::ArchFilter& f : policy.syscalls.arches)
    if (f.arch == a) return &f;
  return nullptr;
}

}  // namespace

AssertionOutcome prove_syscall(const ir::Policy& policy, const ir::Assertion& assertion) {
  AssertionOutcome out;
  z3::context& ctx = shared_context();
  Query query(ctx);
  const ArgVars args = make_args(ctx);
  const ir::SyscallQuery& q = assertion.query.syscall;
  // Ranks at or above user_notif may let the call run; below log it does not run as asked.
  const z3::expr first_running = ctx.bv_val(rank({ir::ActionKind::UserNotif, 0}), 32);
  const z3::expr first_allowed = ctx.bv_val(rank({ir::ActionKind::Log, 0}), 32);
  for (const ir::SyscallQueryArch& per : q.per_arch) {
    const ir::ArchFilter* filter = filter_of(policy, per.arch);
    const ir::ArchFilter empty{per.arch, {}};
    const auto rules = rules_for(filter ? *filter : empty, per.nr);
    const z3::expr decided = decision(ctx, rules, policy.syscalls.default_action, args);
    const z3::expr breaks = assertion.never ? z3::uge(decided, first_running) : z3::ult(decided, first_allowed);
    const Answer answer = query.check(holds(per.when, args) && breaks);
    out.queries = query.checks();
    if (answer == Answer::Unsat) continue;
    if (answer == Answer::Unknown) {
      out.result = AssertionOutcome::Result::Unknown;
      return out;
    }
    std::array<uint64_t, 6> values{};
    for (unsigned i = 0; i < 6; ++i) values[i] = query.value(args[i]);
    out.result = AssertionOutcome::Result::Fails;
    out.counterexample = std::string(arch::name(per.arch)) + " " + q.syscall + "(" +
                         describe_args(values, args_read(per.when) | args_read(rules)) + ")";
    // The concrete evaluator names the deciding rules (and agrees with the formula: tests check it).
    const auto d = ir::decide(policy, arch::audit_arch(per.arch), per.nr, values);
    out.decision =
        (d.action.kind >= ir::ActionKind::UserNotif ? "allowed (" : "refused (") + ir::action_text(d.action) + ")";
    for (const ir::SyscallRule* r : d.matched)
      if (r->action == d.action) out.deciding.insert(out.deciding.end(), r->origins.begin(), r->origins.end());
    return out;
  }
  return out;
}

}  // namespace polc::verify
