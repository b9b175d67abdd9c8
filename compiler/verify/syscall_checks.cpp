// Stage: verify. Syscall lints (see syscall_checks.h).
#include "compiler/verify/syscall_checks.h"

#include <map>
#include <set>
#include <tuple>

#include "compiler/verify/solver.h"
#include "compiler/verify/syscall_model.h"
#include "compiler/verify/syscall_shapes.h"

namespace polc::verify {

namespace {

using diag::Code;

bool written_by_policy(const ir::SyscallRule& r) {
  for (const ir::Origin& o : r.origins)
    if (o.module.empty()) return true;
  return false;
}

const ir::Origin& primary(const ir::SyscallRule& r) {
  for (const ir::Origin& o : r.origins)
    if (o.module.empty()) return o;
  return r.origins.front();
}

bool unconditional(const ir::SyscallRule& r) { return r.when.size() == 1 && r.when.front().empty(); }

// A statement's element (`openat(...)`, `@file_io`) as its origins name it.
using StatementKey = std::pair<uint32_t, uint32_t>;  // (file, begin)
StatementKey key_of(const ir::Origin& o) { return {o.range.file, o.range.begin}; }

// One syscall of a statement that never decides anything (W0009), found on `arch`, with the rules
// that decide its calls instead. Reported once all syscalls were checked, so that a group's
// statement can name which of its syscalls are dead rather than call the whole statement dead.
struct DeadPart {
  ir::Origin statement;
  std::string syscall;
  arch::Arch arch = arch::Arch::x86_64;
  std::vector<std::pair<diag::SourceRange, std::string>> deciders;  // (where, note text)
};

// Checks one syscall's rules on one arch. Findings repeat across arches (the same statement is
// lowered once per target), so the caller's `seen` keeps the first arch's report only.
class SyscallChecker {
 public:
  SyscallChecker(z3::context& ctx, Query& query, diag::Engine& engine, arch::Arch arch,
                 std::set<std::tuple<int, uint32_t, uint32_t, uint32_t>>& seen, std::vector<DeadPart>& dead_parts)
      : ctx_(ctx),
        query_(query),
        engine_(engine),
        arch_(arch),
        seen_(seen),
        dead_parts_(dead_parts),
        args_(make_args(ctx)) {}

  // Rules proved disjoint (syscall_shapes.h) can neither cover nor overlap each other, so each
  // rule is only ever compared with the rules the index cannot rule out: the questions asked, and
  // so the findings, are those of comparing every pair, without a quadratic number of them (or a
  // dead-rule formula as long as the whole syscall) where rules test distinct values.
  void check(std::span<const ir::SyscallRule> rules, Work& work) {
    rules_ = rules;
    dead_.assign(rules.size(), false);
    satisfiable_.assign(rules.size(), true);
    shapes_.clear();
    holds_.clear();
    for (const ir::SyscallRule& r : rules) {
      shapes_.push_back(shape_of(r.when));
      holds_.push_back(holds(r.when, args_));
    }
    const OverlapIndex index(shapes_);
    meeting_.clear();
    for (size_t i = 0; i < rules.size(); ++i) meeting_.push_back(index.candidates(i));
    const uint64_t before = query_.checks();
    for (size_t i = 0; i < rules.size(); ++i) check_satisfiable(i, work);
    for (size_t i = 0; i < rules.size(); ++i) check_dead(i, work);
    for (size_t i = 0; i < rules.size(); ++i)
      for (size_t j : meeting_[i])
        if (j > i) check_overlap(i, j, work);
    work.queries += query_.checks() - before;
  }

 private:
  // One report per (code, statement, statement) across arches.
  bool first_time(Code code, const ir::Origin& a, const ir::Origin& b = {}) {
    return seen_.insert({static_cast<int>(code), a.range.begin, b.range.begin, a.range.file}).second;
  }

  Answer ask(const z3::expr& formula, Work& work) {
    const Answer a = query_.check(formula);
    if (a == Answer::Unknown) ++work.unknown;
    return a;
  }

  std::string witness(uint8_t read_mask) const {
    std::array<uint64_t, 6> v{};
    for (unsigned i = 0; i < 6; ++i) v[i] = query_.value(args_[i]);
    return std::string(arch::name(arch_)) + " " + rules_.front().syscall + "(" + describe_args(v, read_mask) + ")";
  }

  void check_satisfiable(size_t i, Work& work) {
    const ir::SyscallRule& r = rules_[i];
    // Sema reports conditions whose normal form is empty; unconditional rules match everything.
    if (r.when.empty()) satisfiable_[i] = false;
    if (r.when.empty() || unconditional(r)) return;
    if (shapes_[i].satisfiable) return;
    if (!shapes_[i].empty && ask(holds_[i], work) != Answer::Unsat) return;
    satisfiable_[i] = false;
    if (!written_by_policy(r) || !first_time(Code::RuleMatchesNothing, primary(r))) return;
    engine_
        .report(Code::RuleMatchesNothing, primary(r).range,
                "no " + r.syscall + " call on " + std::string(arch::name(arch_)) + " satisfies this condition")
        .note("proved with Z3 over every value of the arguments the condition reads")
        .with_help("check the comparisons (a bit tested against a mask that clears it, ranges that do not meet)");
  }

  // Dead: every call the rule matches is matched by a live rule at least as restrictive, so the
  // outcome never depends on it. Rules found dead drop out before the next is checked, so of two
  // rules that cover each other exactly one is reported.
  void check_dead(size_t i, Work& work) {
    const ir::SyscallRule& r = rules_[i];
    if (!satisfiable_[i] || !written_by_policy(r)) return;
    z3::expr_vector covering(ctx_);
    std::vector<size_t> covering_rules;
    for (size_t j : meeting_[i]) {
      if (dead_[j] || !satisfiable_[j] || ir::more_restrictive(r.action, rules_[j].action)) continue;
      covering.push_back(holds_[j]);
      covering_rules.push_back(j);
    }
    if (covering_rules.empty()) return;
    if (ask(holds_[i] && !z3::mk_or(covering), work) != Answer::Unsat) return;
    dead_[i] = true;
    DeadPart part{primary(r), r.syscall, arch_, {}};
    for (size_t j : covering_rules)
      if (ask(holds_[i] && holds_[j], work) == Answer::Sat)
        part.deciders.emplace_back(primary(rules_[j]).range,
                                   "decided by this rule (" + ir::action_text(rules_[j].action) + "), e.g. " +
                                       witness(args_read(r.when) | args_read(rules_[j].when)));
    dead_parts_.push_back(std::move(part));
  }

  void check_overlap(size_t i, size_t j, Work& work) {
    const ir::SyscallRule& a = rules_[i];
    const ir::SyscallRule& b = rules_[j];
    if (a.action == b.action || dead_[i] || dead_[j] || !satisfiable_[i] || !satisfiable_[j]) return;
    if (!written_by_policy(a) && !written_by_policy(b)) return;
    const bool errno_pair = a.action.kind == ir::ActionKind::Errno && b.action.kind == ir::ActionKind::Errno;
    const ir::SyscallRule& winner = ir::more_restrictive(a.action, b.action) ? a : b;
    const ir::SyscallRule& loser = &winner == &a ? b : a;
    // A carve-out (the winner's region inside the loser's) is the intended way to write an
    // exception; only errno values are reported anyway, since which one wins is polc's convention.
    if (!errno_pair) {
      if (unconditional(loser)) return;
      if (ask(holds_of(winner) && !holds_of(loser), work) == Answer::Unsat) return;
      if (unconditional(winner)) return;  // the loser lies inside the winner: it is dead (reported)
      // Loser inside the winner: the loser never decides and was reported dead; here it is a
      // module's rule, which is not the policy's to fix.
      if (ask(holds_of(loser) && !holds_of(winner), work) == Answer::Unsat) return;
    }
    if (ask(holds_[i] && holds_[j], work) != Answer::Sat) return;
    const std::string at = witness(args_read(a.when) | args_read(b.when));
    const Code code = errno_pair ? Code::ConflictingErrno : Code::OverlappingRules;
    const ir::SyscallRule& reported = written_by_policy(loser) ? loser : winner;
    const ir::SyscallRule& other = &reported == &loser ? winner : loser;
    if (!first_time(code, primary(reported), primary(other))) return;
    auto& d = engine_.report(code, primary(reported).range,
                             errno_pair ? "this rule and another return different errno values for the same calls"
                                        : "this rule and another with a different action match some of the same calls");
    d.note(primary(other).range, "this rule also matches (" + ir::action_text(other.action) + ")");
    d.note("both match " + at + "; " + ir::action_text(winner.action) + " wins (" +
           (errno_pair ? "the lower errno value" : "the more restrictive action") + ")");
    d.with_help(errno_pair ? "make the conditions disjoint, or use one errno value"
                           : "make one rule contain the other (an exception), or make them disjoint");
  }

  const z3::expr& holds_of(const ir::SyscallRule& r) const { return holds_[static_cast<size_t>(&r - rules_.data())]; }

  z3::context& ctx_;
  Query& query_;
  diag::Engine& engine_;
  arch::Arch arch_;
  std::set<std::tuple<int, uint32_t, uint32_t, uint32_t>>& seen_;
  std::vector<DeadPart>& dead_parts_;
  ArgVars args_;
  std::span<const ir::SyscallRule> rules_;
  std::vector<bool> dead_, satisfiable_;
  std::vector<RuleShape> shapes_;
  std::vector<z3::expr> holds_;               // each rule's condition over args_
  std::vector<std::vector<size_t>> meeting_;  // per rule: the rules not proved disjoint from it
};

// `a, b and c`, each in backticks.
std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + ("`" + names[i] + "`");
  return out;
}

// One W0009 per statement: the whole statement when every syscall it names is dead, else the
// syscalls that are (`allow @file_io` stays useful when only its `openat` is decided elsewhere).
// `syscalls_of` holds, per statement, every syscall the policy's statement lowered to.
void report_dead_parts(const std::vector<DeadPart>& parts,
                       const std::map<StatementKey, std::set<std::string>>& syscalls_of, diag::Engine& engine) {
  std::map<StatementKey, std::vector<const DeadPart*>> by_statement;
  for (const DeadPart& p : parts) by_statement[key_of(p.statement)].push_back(&p);
  for (const auto& [key, found] : by_statement) {
    const DeadPart& first = *found.front();
    std::set<std::string> dead;
    for (const DeadPart* p : found) dead.insert(p->syscall);
    const auto all = syscalls_of.find(key);
    const bool whole = all == syscalls_of.end() || all->second.size() <= dead.size();
    const std::string on = std::string(arch::name(first.arch));
    std::string message;
    if (whole && dead.size() == 1) {
      message = "this rule never decides anything: every " + first.syscall + " call it matches on " + on +
                " gets the same or a more restrictive action from other rules";
    } else if (whole) {
      message = "this rule never decides anything: every call of " + listed({dead.begin(), dead.end()}) +
                " it matches gets the same or a more restrictive action from other rules";
    } else {
      const size_t rest = all->second.size() - dead.size();
      const std::string still =
          " (the rule still decides its other " + std::to_string(rest) + " syscall" + (rest == 1 ? ")" : "s)");
      message = dead.size() == 1 ? "the `" + first.syscall + "` part of this rule never decides anything: every " +
                                       first.syscall + " call it matches on " + on +
                                       " gets the same or a more restrictive action from other rules" + still
                                 : "the " + listed({dead.begin(), dead.end()}) +
                                       " parts of this rule never decide anything: every call of theirs it matches " +
                                       "gets the same or a more restrictive action from other rules" + still;
    }
    auto& d = engine.report(Code::DeadRule, first.statement.range, message);
    std::set<std::string> noted;  // one note per syscall, from the arch it was found on first
    for (const DeadPart* p : found)
      if (noted.insert(p->syscall).second)
        for (const auto& [range, text] : p->deciders) d.note(range, text);
    d.with_help(whole ? "remove the rule, or narrow the rules that cover it if it was meant to decide something"
                      : "nothing is lost: the other rules decide those calls; if this rule was meant to decide them, "
                        "narrow the rules that cover them");
  }
}

}  // namespace

Work check_syscalls(const ir::Policy& policy, diag::Engine& engine) {
  Work work;
  z3::context& ctx = shared_context();
  Query query(ctx);
  std::set<std::tuple<int, uint32_t, uint32_t, uint32_t>> seen;
  std::vector<DeadPart> dead_parts;
  std::map<StatementKey, std::set<std::string>> syscalls_of;
  for (const ir::ArchFilter& filter : policy.syscalls.arches)
    for (const ir::SyscallRule& r : filter.rules)
      for (const ir::Origin& o : r.origins)
        if (o.module.empty()) syscalls_of[key_of(o)].insert(r.syscall);
  for (const ir::ArchFilter& filter : policy.syscalls.arches) {
    SyscallChecker checker(ctx, query, engine, filter.arch, seen, dead_parts);
    for (size_t i = 0; i < filter.rules.size();) {
      const int nr = filter.rules[i].nr;
      const auto rules = rules_for(filter, nr);
      checker.check(rules, work);
      i += rules.size();
    }
  }
  // The same part found dead on several arches is one finding (the first arch's).
  std::vector<DeadPart> first_found;
  std::set<std::pair<StatementKey, std::string>> known;
  for (DeadPart& p : dead_parts)
    if (known.insert({key_of(p.statement), p.syscall}).second) first_found.push_back(std::move(p));
  report_dead_parts(first_found, syscalls_of, engine);
  return work;
}

}  // namespace polc::verify
