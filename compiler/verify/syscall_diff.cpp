// Stage: verify. Syscall differences between two policies (see syscall_diff.h).
#include "compiler/verify/syscall_diff.h"

#include <algorithm>
#include <map>
#include <set>

#include "compiler/ir/evaluate.h"
#include "compiler/verify/solver.h"
#include "compiler/verify/syscall_model.h"

namespace polc::verify {

namespace {

const ir::ArchFilter* filter_of(const ir::Policy& p, arch::Arch a) {
  for (const ir::ArchFilter& f : p.syscalls.arches)
    if (f.arch == a) return &f;
  return nullptr;
}

bool targets(const ir::Policy& p, arch::Arch a) {
  return std::find(p.targets.begin(), p.targets.end(), a) != p.targets.end();
}

// The rules that decide a concrete call (those with the winning action), or none for the default.
std::vector<ir::Origin> deciding(const ir::Policy& p, arch::Arch a, int nr, const std::array<uint64_t, 6>& args) {
  std::vector<ir::Origin> out;
  const auto d = ir::decide(p, arch::audit_arch(a), nr, args);
  for (const ir::SyscallRule* r : d.matched)
    if (r->action == d.action) out.insert(out.end(), r->origins.begin(), r->origins.end());
  return out;
}

std::string decision_text(const ir::Action& a, bool by_default) {
  return ir::action_text(a) + (by_default ? " (default)" : "");
}

// Every syscall either policy names on `a`, by number, with its name.
std::map<int, std::string> named_syscalls(const ir::ArchFilter* old_filter, const ir::ArchFilter* new_filter) {
  std::map<int, std::string> out;
  for (const ir::ArchFilter* f : {old_filter, new_filter})
    if (f)
      for (const ir::SyscallRule& r : f->rules) out.emplace(r.nr, r.syscall);
  return out;
}

class ArchDiff {
 public:
  ArchDiff(const ir::Policy& old_policy, const ir::Policy& new_policy, arch::Arch a)
      : old_(old_policy),
        new_(new_policy),
        arch_(a),
        ctx_(shared_context()),
        query_(ctx_, QueryScope::Own),
        args_(make_args(ctx_, "d")) {}

  void syscall(int nr, const std::string& name, std::vector<DiffEntry>& out) {
    static const ir::ArchFilter kEmpty{};
    const auto old_rules = rules_for(filter_of(old_, arch_) ? *filter_of(old_, arch_) : kEmpty, nr);
    const auto new_rules = rules_for(filter_of(new_, arch_) ? *filter_of(new_, arch_) : kEmpty, nr);
    const z3::expr old_d = decision(ctx_, old_rules, old_.syscalls.default_action, args_);
    const z3::expr new_d = decision(ctx_, new_rules, new_.syscalls.default_action, args_);
    const uint8_t read = args_read(old_rules) | args_read(new_rules);
    z3::expr_vector excluded(ctx_);
    // Each round finds one pair of decisions; the pairs are few (actions of the two policies).
    for (int round = 0; round < 64; ++round) {
      z3::expr ask = old_d != new_d;
      for (const z3::expr& e : excluded) ask = ask && !e;
      if (query_.check(ask) != Answer::Sat) break;
      std::array<uint64_t, 6> values{};
      for (unsigned i = 0; i < 6; ++i) values[i] = query_.value(args_[i]);
      const uint32_t ro = static_cast<uint32_t>(query_.value(old_d)), rn = static_cast<uint32_t>(query_.value(new_d));
      excluded.push_back(old_d == ctx_.bv_val(ro, 32) && new_d == ctx_.bv_val(rn, 32));
      const ir::Action oa = action_of_rank(ro), na = action_of_rank(rn);
      DiffEntry e;
      e.dimension = DiffEntry::Dimension::Syscalls;
      e.old_rules = deciding(old_, arch_, nr, values);
      e.new_rules = deciding(new_, arch_, nr, values);
      e.widened = may_run(na) && !may_run(oa);
      e.changed_only = may_run(na) == may_run(oa);
      // Where only part of the arguments changes hands, say so: the rules named beside the entry
      // spell the conditions.
      const bool every_call =
          query_.check(old_d == ctx_.bv_val(ro, 32) && new_d == ctx_.bv_val(rn, 32)) == Answer::Sat &&
          query_.check(!(old_d == ctx_.bv_val(ro, 32) && new_d == ctx_.bv_val(rn, 32))) == Answer::Unsat;
      e.region = std::string(arch::name(arch_)) + " " + name +
                 (every_call ? ": every call" : ": the calls where the rules named decide");
      e.witness = std::string(arch::name(arch_)) + " " + name + "(" + describe_args(values, read) + ")";
      e.old_decision = decision_text(oa, e.old_rules.empty());
      e.new_decision = decision_text(na, e.new_rules.empty());
      out.push_back(std::move(e));
    }
  }

 private:
  const ir::Policy& old_;
  const ir::Policy& new_;
  arch::Arch arch_;
  z3::context& ctx_;
  Query query_;
  ArgVars args_;
};

// A target only one side has: every call of that arch changes from killed (foreign) to decided
// by the policy, or back. One entry says so; the policy's own rules are its detail.
DiffEntry target_change(const ir::Policy& p, arch::Arch a, bool added) {
  DiffEntry e;
  e.dimension = DiffEntry::Dimension::Syscalls;
  const bool runs = may_run(p.syscalls.default_action) ||
                    (filter_of(p, a) && std::any_of(filter_of(p, a)->rules.begin(), filter_of(p, a)->rules.end(),
                                                    [](const ir::SyscallRule& r) { return may_run(r.action); }));
  e.widened = added && runs;
  e.region = std::string(arch::name(a)) + ": every call (" + (added ? "a new target" : "no longer a target") + ")";
  e.witness = std::string(arch::name(a)) + " calls";
  const std::string decided = "decided by the policy (default " + ir::action_text(p.syscalls.default_action) + ")";
  e.old_decision = added ? "kill_process (not a target)" : decided;
  e.new_decision = added ? decided : "kill_process (not a target)";
  return e;
}

// The same change on several targets (one statement lowered per arch) is one entry: "x86_64,
// aarch64 socket: ...", with the first target's witness.
std::vector<DiffEntry> merge_targets(std::vector<DiffEntry> entries) {
  std::vector<DiffEntry> out;
  auto same = [](const DiffEntry& a, const DiffEntry& b, const std::string& a_rest, const std::string& b_rest) {
    return a_rest == b_rest && a.old_decision == b.old_decision && a.new_decision == b.new_decision &&
           a.old_rules == b.old_rules && a.new_rules == b.new_rules;
  };
  // Regions start with the arch name and a space or colon.
  auto rest = [](const std::string& region) { return region.substr(region.find_first_of(" :")); };
  for (DiffEntry& e : entries) {
    bool merged = false;
    for (DiffEntry& o : out) {
      if (!same(o, e, rest(o.region), rest(e.region))) continue;
      const std::string arch_name = e.region.substr(0, e.region.find_first_of(" :"));
      o.region.insert(o.region.find_first_of(" :"), ", " + arch_name);
      merged = true;
      break;
    }
    if (!merged) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

bool may_run(const ir::Action& a) { return a.kind >= ir::ActionKind::UserNotif; }

std::vector<DiffEntry> diff_syscalls(const ir::Policy& old_policy, const ir::Policy& new_policy) {
  std::vector<DiffEntry> out;
  for (arch::Arch a : arch::kAllArches) {
    const bool in_old = targets(old_policy, a), in_new = targets(new_policy, a);
    if (!in_old && !in_new) continue;
    if (in_old != in_new) {
      out.push_back(target_change(in_new ? new_policy : old_policy, a, in_new));
      continue;
    }
    ArchDiff diff(old_policy, new_policy, a);
    for (const auto& [nr, name] : named_syscalls(filter_of(old_policy, a), filter_of(new_policy, a)))
      diff.syscall(nr, name, out);
    // Every syscall neither policy names is decided by the two defaults.
    if (!(old_policy.syscalls.default_action == new_policy.syscalls.default_action)) {
      DiffEntry e;
      e.dimension = DiffEntry::Dimension::Syscalls;
      e.widened = may_run(new_policy.syscalls.default_action) && !may_run(old_policy.syscalls.default_action);
      e.changed_only = may_run(new_policy.syscalls.default_action) == may_run(old_policy.syscalls.default_action);
      e.region = std::string(arch::name(a)) + ": every syscall neither policy names";
      e.witness = std::string(arch::name(a)) + " any such syscall";
      e.old_decision = decision_text(old_policy.syscalls.default_action, true);
      e.new_decision = decision_text(new_policy.syscalls.default_action, true);
      if (new_policy.syscalls.default_written) e.new_rules.push_back(new_policy.syscalls.default_origin);
      if (old_policy.syscalls.default_written) e.old_rules.push_back(old_policy.syscalls.default_origin);
      out.push_back(std::move(e));
    }
  }
  return merge_targets(std::move(out));
}

}  // namespace polc::verify
