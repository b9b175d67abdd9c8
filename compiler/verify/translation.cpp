// Stage: verify. Translation validation of seccomp programs (see translation.h).
//
// The query space is split so that no query is large: for each audit value of the family, the
// syscall numbers are split into the classes the IR treats alike (x86_64 versus x32 numbers, and
// -1), then
//   - one query per number whose rules have conditions, with the arch and the number fixed: the
//     symbolic executor folds the program down to that syscall's argument checks;
//   - one query for every other number of the class, the number symbolic (constrained outside the
//     numbers above), where the IR's decision depends on the number alone;
// and one last query for every other arch value, which must be killed. Each query asks for an
// input on which the decoded return differs from the IR's decision; all unsatisfiable is a proof.
#include "compiler/verify/translation.h"

#include <algorithm>
#include <ctime>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <vector>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/conformance.h"
#include "compiler/ir/evaluate.h"
#include "compiler/verify/bpf_symbolic.h"
#include "compiler/verify/solver.h"
#include "compiler/verify/syscall_model.h"

namespace polc::verify {

namespace {

namespace sc = backends::seccomp;

// Syscall numbers as the unsigned 32 bits of seccomp_data.nr, both ends included.
struct NrRange {
  uint32_t lo = 0;
  uint32_t hi = UINT32_MAX;
};

// Ranges of numbers on which ir::call_target cannot change for the audit value `audit`: on x86_64's
// value, the numbers from bit 30 up are x32 calls except -1 (arch::from_audit_arch), and -1 itself
// may go to x32 (ir::call_target); every other arch's calls are all one target's.
std::vector<NrRange> number_classes(uint32_t audit) {
  if (audit != arch::audit_arch(arch::Arch::x86_64)) return {NrRange{}};
  return {{0, arch::kX32SyscallBit - 1}, {arch::kX32SyscallBit, UINT32_MAX - 1}, {UINT32_MAX, UINT32_MAX}};
}

z3::expr in_range(const z3::expr& nr, NrRange r) {
  z3::context& ctx = nr.ctx();
  if (r.lo == r.hi) return nr == ctx.bv_val(r.lo, 32);
  z3::expr out = ctx.bool_val(true);
  if (r.lo > 0) out = z3::uge(nr, ctx.bv_val(r.lo, 32));
  if (r.hi < UINT32_MAX) out = r.lo > 0 ? out && z3::ule(nr, ctx.bv_val(r.hi, 32)) : z3::ule(nr, ctx.bv_val(r.hi, 32));
  return out;
}

// nr ∈ `numbers` (sorted), as runs of consecutive numbers.
z3::expr member(const z3::expr& nr, const std::vector<uint32_t>& numbers) {
  z3::expr_vector runs(nr.ctx());
  for (size_t i = 0; i < numbers.size();) {
    size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    runs.push_back(in_range(nr, {numbers[i], numbers[j]}));
    i = j + 1;
  }
  return runs.empty() ? nr.ctx().bool_val(false) : z3::mk_or(runs);
}

// The decision when it does not depend on the arguments: every rule matches always ({{}}, one
// empty clause) or never ({}). nullopt when some condition reads an argument.
std::optional<ir::Action> constant_decision(std::span<const ir::SyscallRule> rules, const ir::Action& default_action) {
  std::optional<ir::Action> winner;
  for (const ir::SyscallRule& r : rules) {
    if (r.when.empty()) continue;
    if (std::none_of(r.when.begin(), r.when.end(), [](const ir::Clause& c) { return c.empty(); })) return std::nullopt;
    if (!winner || ir::more_restrictive(r.action, *winner)) winner = r.action;
  }
  return winner ? *winner : default_action;
}

const ir::ArchFilter* filter_of(const ir::Policy& policy, std::optional<arch::Arch> a) {
  if (!a) return nullptr;
  for (const ir::ArchFilter& f : policy.syscalls.arches)
    if (f.arch == *a) return &f;
  return nullptr;
}


class Validation {
 public:
  Validation(std::span<const sc::Insn> program, bool big_endian, const ir::Policy& policy,
             std::span<const arch::Arch> decides)
      : program_(program), big_endian_(big_endian), policy_(policy), decides_(decides), query_(ctx_),
        vars_(make_data(ctx_)), kill_(ctx_.bv_val(rank({ir::ActionKind::KillProcess, 0}), 32)) {}

  TranslationResult run() {
    TranslationResult out;
    if (auto invalid = sc::validate(program_)) {
      out.verdict = TranslationResult::Verdict::Invalid;
      out.detail = *invalid;
      return out;
    }
    std::vector<uint32_t> audits;
    for (arch::Arch a : decides_)
      if (std::find(audits.begin(), audits.end(), arch::audit_arch(a)) == audits.end())
        audits.push_back(arch::audit_arch(a));
    for (uint32_t audit : audits)
      if (!check_audit(audit)) return finish();
    // Every other arch value: kill_process, whatever the number and arguments.
    z3::expr_vector others(ctx_);
    for (uint32_t audit : audits) others.push_back(vars_.arch != ctx_.bv_val(audit, 32));
    const auto exits = walk(vars_);
    ask(all(others) && any_exit(*exits, [&](const z3::expr& r) { return differs(r, kill_); }), vars_,
        "every arch value the program does not decide");
    return finish();
  }

 private:
  // False once a mismatch was found (no need to look further).
  bool check_audit(uint32_t audit) {
    SymbolicData fixed_arch = vars_;
    fixed_arch.arch = ctx_.bv_val(audit, 32);
    std::optional<std::vector<Exit>> any_number;  // the walk with the number symbolic, shared by the classes
    for (const NrRange& range : number_classes(audit)) {
      const auto rep = static_cast<int32_t>(range.lo);
      // As sc::expected_action: the policy's decision for a call of a target the program decides.
      const ir::ArchFilter* filter = nullptr;
      if (ir::call_target(decides_, audit, rep)) filter = filter_of(policy_, ir::call_target(policy_.targets, audit, rep));
      if (!any_number) any_number = walk(fixed_arch);
      const std::string where = "arch " + sc::hex(audit) + ", numbers " + sc::hex(range.lo) + ".." + sc::hex(range.hi);
      if (!filter) {
        ask(in_range(fixed_arch.nr, range) &&
                any_exit(*any_number, [&](const z3::expr& r) { return differs(r, kill_); }),
            fixed_arch, where);
      } else {
        check_numbers(*filter, range, fixed_arch, *any_number, where);
      }
      if (mismatch_) return false;
    }
    return true;
  }

  void check_numbers(const ir::ArchFilter& filter, NrRange range, const SymbolicData& fixed_arch,
                     const std::vector<Exit>& any_number, const std::string& where) {
    const ir::Action& default_action = policy_.syscalls.default_action;
    const uint32_t default_rank = rank(default_action);
    std::vector<uint32_t> conditioned;
    std::map<uint32_t, std::vector<uint32_t>> by_rank;  // numbers decided by the number alone, per rank
    for (size_t i = 0; i < filter.rules.size();) {
      const int nr = filter.rules[i].nr;
      const std::span<const ir::SyscallRule> rules = rules_for(filter, nr);
      i += rules.size();
      const auto n = static_cast<uint32_t>(nr);
      if (n < range.lo || n > range.hi) continue;
      if (auto d = constant_decision(rules, default_action)) {
        if (rank(*d) != default_rank) by_rank[rank(*d)].push_back(n);
        continue;
      }
      conditioned.push_back(n);
      SymbolicData fixed = fixed_arch;
      fixed.nr = ctx_.bv_val(n, 32);
      const z3::expr expected = decision(ctx_, rules, default_action, fixed.args);
      ask(any_exit(*walk(fixed), [&](const z3::expr& r) { return r != expected; }), fixed,
          "arch " + sc::hex(numeral(fixed_arch.arch).value_or(0)) + ", nr " + std::to_string(nr));
      if (mismatch_) return;
    }
    // The other numbers: the IR's decision is a function of the number.
    const z3::expr& nr = fixed_arch.nr;
    std::vector<std::pair<uint32_t, z3::expr>> groups;
    z3::expr_vector any_group(ctx_);
    for (const auto& [r, numbers] : by_rank) {
      groups.emplace_back(r, member(nr, numbers));
      any_group.push_back(groups.back().second);
    }
    z3::expr expected = ctx_.bv_val(default_rank, 32);
    for (const auto& [r, in] : groups) expected = z3::ite(in, ctx_.bv_val(r, 32), expected);
    auto mismatch = [&](const z3::expr& got) {
      const auto c = numeral(got);
      if (!c) return got != expected;
      // A constant return differs exactly where the expected rank is another one.
      if (*c == default_rank) return any_group.empty() ? ctx_.bool_val(false) : z3::mk_or(any_group);
      for (const auto& [r, in] : groups)
        if (r == *c) return !in;
      return ctx_.bool_val(true);
    };
    z3::expr_vector region(ctx_);
    region.push_back(in_range(nr, range));
    for (uint32_t n : conditioned) region.push_back(nr != ctx_.bv_val(n, 32));
    ask(all(region) && any_exit(any_number, mismatch), fixed_arch,
        where + (conditioned.empty() ? "" : " except the " + std::to_string(conditioned.size()) + " with conditions"));
  }

  std::optional<std::vector<Exit>> walk(const SymbolicData& data) {
    // The program was validated in run(), so the walk cannot fail.
    return execute(program_, big_endian_, data);
  }

  // True where some exit is reached with a decoded return for which `mismatch` holds.
  template <class F>
  z3::expr any_exit(const std::vector<Exit>& exits, F mismatch) {
    z3::expr_vector parts(ctx_);
    for (const Exit& e : exits) {
      const z3::expr m = mismatch(decoded_rank(e.value));
      if (m.is_false()) continue;
      parts.push_back(m.is_true() ? e.when : e.when && m);
    }
    return parts.empty() ? ctx_.bool_val(false) : z3::mk_or(parts);
  }

  z3::expr differs(const z3::expr& got, const z3::expr& want) {
    const auto a = numeral(got);
    const auto b = numeral(want);
    if (a && b) return ctx_.bool_val(*a != *b);
    return got != want;
  }

  z3::expr all(const z3::expr_vector& v) { return v.empty() ? ctx_.bool_val(true) : z3::mk_and(v); }

  // Asks for an input of `data` satisfying `formula` (a mismatch). Records a replayed witness, or
  // the first region Z3 gave up on.
  void ask(const z3::expr& formula, const SymbolicData& data, const std::string& region) {
    if (formula.is_false()) return;  // nothing to ask: every exit agrees by construction
    auto t0 = std::chrono::steady_clock::now();
    timespec c0; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    Answer answer;
    const char* strat = getenv("TV_STRAT");
    if (!strat || strat[0] == '0') answer = query_.check(formula);
    else {
      std::optional<z3::solver> sv;
      if (strat[0] == '1') sv.emplace(ctx_);
      else if (strat[0] == '2') sv.emplace(ctx_, "QF_BV");
      else sv.emplace((z3::tactic(ctx_, "simplify") & z3::tactic(ctx_, "solve-eqs") & z3::tactic(ctx_, "bit-blast") & z3::tactic(ctx_, "sat")).mk_solver());
      sv->add(formula);
      auto r = sv->check();
      answer = r == z3::sat ? Answer::Sat : r == z3::unsat ? Answer::Unsat : Answer::Unknown;
      if (answer == Answer::Sat) { query_.check(formula); }
    }
    timespec c1; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    if (getenv("TV_DEBUG")) fprintf(stderr, "  cpu %.2f ms\n", (c1.tv_sec - c0.tv_sec) * 1e3 + (c1.tv_nsec - c0.tv_nsec) / 1e6);
    if (getenv("TV_DEBUG")) fprintf(stderr, "  %.2f ms %s\n", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(), region.c_str());
    if (answer == Answer::Unsat) return;
    if (answer == Answer::Unknown) {
      ++unknown_;
      if (detail_.empty()) detail_ = "the solver gave up on " + region;
      return;
    }
    TranslationWitness w;
    w.data.arch = static_cast<uint32_t>(query_.value(data.arch));
    w.data.nr = static_cast<int32_t>(static_cast<uint32_t>(query_.value(data.nr)));
    w.data.ip = query_.value(data.ip);
    for (size_t i = 0; i < 6; ++i) w.data.args[i] = query_.value(data.args[i]);
    w.expected = sc::expected_action(policy_, decides_, w.data);
    w.actual = sc::decode_ret(sc::run(program_, w.data, big_endian_).ret);
    if (w.expected == w.actual) {
      // The symbolic model and the concrete one disagree: a bug in the verifier, never a proof.
      ++unknown_;
      if (detail_.empty()) detail_ = "a witness for " + region + " does not replay (" + w.describe() + ")";
      return;
    }
    mismatch_ = std::move(w);
  }

  TranslationResult finish() {
    TranslationResult out;
    out.work.queries = query_.checks();
    out.work.unknown = unknown_;
    if (mismatch_) {
      out.verdict = TranslationResult::Verdict::Mismatch;
      out.witness = std::move(mismatch_);
    } else if (unknown_ > 0) {
      out.verdict = TranslationResult::Verdict::Unknown;
      out.detail = detail_;
    }
    return out;
  }

  std::span<const sc::Insn> program_;
  bool big_endian_;
  const ir::Policy& policy_;
  std::span<const arch::Arch> decides_;
  z3::context ctx_;  // declared before every term, so destroyed after them
  Query query_;
  SymbolicData vars_;
  z3::expr kill_;
  std::optional<TranslationWitness> mismatch_;
  uint64_t unknown_ = 0;
  std::string detail_;
};

}  // namespace

std::string TranslationWitness::describe() const {
  std::string s = sc::Mismatch{data, expected, actual}.describe();
  if (data.ip != 0) s += " (instruction pointer " + sc::hex(static_cast<uint32_t>(data.ip >> 32)) + ":" +
                         sc::hex(static_cast<uint32_t>(data.ip)) + ")";
  return s;
}

z3::expr decoded_rank(const z3::expr& ret) {
  z3::context& ctx = ret.ctx();
  if (auto v = numeral(ret)) return ctx.bv_val(rank(sc::decode_ret(static_cast<uint32_t>(*v))), 32);
  auto val = [&](uint32_t v) { return ctx.bv_val(v, 32); };
  auto of = [&](ir::ActionKind k) { return val(rank({k, 0})); };
  const z3::expr action = ret & val(sc::kRetActionMask);
  const z3::expr data = ret & val(sc::kRetDataMask);
  // As decode_ret: errno's data is clamped to MAX_ERRNO (4095), trace keeps its data, the other
  // actions carry none, and every action the kernel does not know kills the process.
  constexpr uint32_t kMaxErrno = 4095;
  const z3::expr errno_data = z3::ite(z3::ugt(data, val(kMaxErrno)), val(kMaxErrno), data);
  const std::pair<uint32_t, z3::expr> known[] = {
      {sc::kRetKillThread, of(ir::ActionKind::KillThread)},
      {sc::kRetTrap, of(ir::ActionKind::Trap)},
      {sc::kRetErrno, of(ir::ActionKind::Errno) | errno_data},
      {sc::kRetUserNotif, of(ir::ActionKind::UserNotif)},
      {sc::kRetTrace, of(ir::ActionKind::Trace) | data},
      {sc::kRetLog, of(ir::ActionKind::Log)},
      {sc::kRetAllow, of(ir::ActionKind::Allow)},
  };
  z3::expr out = of(ir::ActionKind::KillProcess);
  for (const auto& [code, rank_of] : known) out = z3::ite(action == val(code), rank_of, out);
  return out;
}

TranslationResult validate_translation(std::span<const sc::Insn> program, bool big_endian, const ir::Policy& policy,
                                       std::span<const arch::Arch> decides) {
  return Validation(program, big_endian, policy, decides).run();
}

TranslationResult validate_translation(const sc::ProgramArtifact& program, const ir::Policy& policy) {
  return validate_translation(program.insns, arch::big_endian(program.arch), policy, program.decides);
}

}  // namespace polc::verify
