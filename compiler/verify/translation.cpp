// Stage: verify. Translation validation of seccomp programs (see translation.h).
//
// The space of inputs is split so that no query is large. For each audit value of the family, the
// syscall numbers are split into the classes ir::call_target treats alike (x86_64 versus x32
// numbers, and -1); in each class:
//   - a number whose rules have conditions gets one query, the arch and the number fixed: the
//     symbolic walk folds the program down to that syscall's argument checks;
//   - every other number is decided by the number alone. These numbers are cut into pieces at
//     every constant the program compares the number with and at every number the policy names;
//     on each piece neither the program's dispatch nor the policy's decision can change. Most
//     pieces are decided by one concrete run of the program (return_for_numbers, bpf_symbolic.h),
//     which also checks that every number of the piece takes its path. Otherwise the piece's
//     bounds are given to the symbolic walk as facts, so the walk decides every comparison of the
//     number and, for a right program, ends in one return: comparing that with the policy's
//     decision needs no solver. A piece where the program still depends on something (an
//     argument, a bit test of the number) gets a query over the piece. (One query with the number
//     symbolic, the obvious alternative, cost 30-90 ms per example program, Z3 bit-blasting a
//     comparator per jump; the pieces cost a few milliseconds and usually no query.)
// A last query covers every other arch value, which must be killed (told that the arch is none of
// the family's, the walk reduces the program to its arch check). Each query asks for an input on
// which the decoded return differs from the IR's decision; all unsatisfiable is the proof.
#include "compiler/verify/translation.h"

#include <algorithm>
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
  if (r.lo == 0 && r.hi == UINT32_MAX) return ctx.bool_val(true);
  if (r.lo == 0) return z3::ule(nr, ctx.bv_val(r.hi, 32));
  if (r.hi == UINT32_MAX) return z3::uge(nr, ctx.bv_val(r.lo, 32));
  return z3::uge(nr, ctx.bv_val(r.lo, 32)) && z3::ule(nr, ctx.bv_val(r.hi, 32));
}

// `range` cut before and after every point in it: the pieces on which no comparison of the number
// with a point (==, >, >=) changes its outcome.
std::vector<NrRange> pieces(NrRange range, const std::vector<uint32_t>& points) {
  std::vector<uint32_t> starts = {range.lo};
  for (uint32_t k : points) {
    if (k > range.lo && k <= range.hi) starts.push_back(k);
    if (k >= range.lo && k < range.hi) starts.push_back(k + 1);
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  std::vector<NrRange> out;
  for (size_t i = 0; i < starts.size(); ++i)
    out.push_back({starts[i], i + 1 < starts.size() ? starts[i + 1] - 1 : range.hi});
  return out;
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

// One validation: the queries for one program, on the validator's context and solver.
class Validation {
 public:
  Validation(z3::context& ctx, Query& query, std::span<const sc::Insn> program, bool big_endian,
             const ir::Policy& policy, std::span<const arch::Arch> decides)
      : insns_(program),
        program_(CheckedProgram::check(program, &invalid_)),
        big_endian_(big_endian),
        policy_(policy),
        decides_(decides),
        ctx_(ctx),
        query_(query),
        checks_before_(query.checks()),
        vars_(make_data(ctx)),
        kill_rank_(rank({ir::ActionKind::KillProcess, 0})),
        kill_(ctx.bv_val(kill_rank_, 32)) {}

  TranslationResult run() {
    if (!program_) {
      TranslationResult out;
      out.verdict = TranslationResult::Verdict::Invalid;
      out.detail = invalid_;
      return out;
    }
    std::vector<uint32_t> audits;
    for (arch::Arch a : decides_) audits.push_back(arch::audit_arch(a));
    std::sort(audits.begin(), audits.end());
    audits.erase(std::unique(audits.begin(), audits.end()), audits.end());
    for (uint32_t audit : audits)
      if (!check_audit(audit)) return finish();
    // Every other arch value: kill_process, whatever the number and arguments.
    Facts facts;
    facts.arch.excluded = audits;
    z3::expr_vector others(ctx_);
    for (uint32_t audit : audits) others.push_back(vars_.arch != ctx_.bv_val(audit, 32));
    const z3::expr differ = any_exit(walk(vars_, facts), [&](const z3::expr& r) { return differs(r, kill_); });
    if (!differ.is_false()) ask(all(others) && differ, vars_, "every arch value the program does not decide");
    return finish();
  }

 private:
  // False once a mismatch was found (no need to look further).
  bool check_audit(uint32_t audit) {
    SymbolicData fixed_arch = vars_;
    fixed_arch.arch = ctx_.bv_val(audit, 32);
    for (const NrRange& range : number_classes(audit)) {
      const auto rep = static_cast<int32_t>(range.lo);
      // As sc::expected_action: the policy's decision for a call of a target the program decides.
      const ir::ArchFilter* filter = nullptr;
      if (ir::call_target(decides_, audit, rep))
        filter = filter_of(policy_, ir::call_target(policy_.targets, audit, rep));
      if (filter) check_rules(*filter, range, fixed_arch);
      else check_by_number(range, fixed_arch, {}, {}, kill_rank_);
      if (mismatch_) return false;
    }
    return true;
  }

  // The numbers of `range` on a target with rules: the conditioned ones one by one, the others by
  // number.
  void check_rules(const ir::ArchFilter& filter, NrRange range, const SymbolicData& fixed_arch) {
    const ir::Action& default_action = policy_.syscalls.default_action;
    std::vector<uint32_t> conditioned;
    std::map<uint32_t, uint32_t> constant_ranks;  // number -> rank, where the number alone decides
    for (size_t i = 0; i < filter.rules.size();) {
      const int nr = filter.rules[i].nr;
      const std::span<const ir::SyscallRule> rules = rules_for(filter, nr);
      i += rules.size();
      const auto n = static_cast<uint32_t>(nr);
      if (n < range.lo || n > range.hi) continue;  // another class's (or no target's) number
      if (auto d = constant_decision(rules, default_action)) {
        constant_ranks[n] = rank(*d);
        continue;
      }
      conditioned.push_back(n);  // rules are sorted by number, so this stays sorted
      SymbolicData fixed = fixed_arch;
      fixed.nr = ctx_.bv_val(n, 32);
      const z3::expr expected = decision(ctx_, rules, default_action, fixed.args, ValueSets::AsRanges);
      ask(any_exit(walk(fixed, {}), [&](const z3::expr& r) { return r != expected; }), fixed,
          "arch " + sc::hex(static_cast<uint32_t>(numeral(fixed.arch).value_or(0))) + ", nr " + std::to_string(nr));
      if (mismatch_) return;
    }
    check_by_number(range, fixed_arch, conditioned, constant_ranks, rank(default_action));
  }

  // Every number of `range` but `excluded` (sorted) must be decided as `ranks` says, or as
  // `otherwise` for the numbers it does not list, whatever the arguments.
  void check_by_number(NrRange range, const SymbolicData& fixed_arch, const std::vector<uint32_t>& excluded,
                       const std::map<uint32_t, uint32_t>& ranks, uint32_t otherwise) {
    std::vector<uint32_t> points;
    walk(fixed_arch, Facts{{range.lo, range.hi, excluded}, {}}, &points);
    points.insert(points.end(), excluded.begin(), excluded.end());
    for (const auto& [n, r] : ranks) points.push_back(n);
    const uint32_t audit = static_cast<uint32_t>(numeral(fixed_arch.arch).value_or(0));
    for (const NrRange& piece : pieces(range, points)) {
      if (piece.lo == piece.hi && std::binary_search(excluded.begin(), excluded.end(), piece.lo)) continue;
      // A piece of several numbers holds no number the policy names (each is a piece of its own).
      const auto named = piece.lo == piece.hi ? ranks.find(piece.lo) : ranks.end();
      const uint32_t expected_rank = named != ranks.end() ? named->second : otherwise;
      // One concrete run decides most pieces (see return_for_numbers); a disagreement is left to
      // the query, which finds the witness.
      if (const auto ret = return_for_numbers(insns_, audit, piece.lo, piece.hi);
          ret && rank(sc::decode_ret(*ret)) == expected_rank)
        continue;
      const z3::expr expected = ctx_.bv_val(expected_rank, 32);
      const auto exits = walk(fixed_arch, Facts{{piece.lo, piece.hi, {}}, {}});
      const z3::expr differ = any_exit(exits, [&](const z3::expr& r) { return differs(r, expected); });
      if (differ.is_false()) continue;  // decided without the solver (the usual case)
      ask(in_range(fixed_arch.nr, piece) && differ, fixed_arch,
          "arch " + sc::hex(audit) + ", numbers " + sc::hex(piece.lo) + ".." + sc::hex(piece.hi));
      if (mismatch_) return;
    }
  }

  // The exits of the program over `data`; `facts` must be asserted by the query that uses them.
  std::vector<Exit> walk(const SymbolicData& data, const Facts& facts, std::vector<uint32_t>* compared_nr = nullptr) {
    return execute(*program_, big_endian_, data, facts, compared_nr);
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
    if (formula.is_false()) return;  // every exit agrees by construction: nothing to ask
    const Answer answer = query_.check(formula);
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
    w.actual = sc::decode_ret(sc::run(insns_, w.data, big_endian_).ret);
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
    out.work.queries = query_.checks() - checks_before_;
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

  std::span<const sc::Insn> insns_;
  std::string invalid_;                    // why the kernel would refuse the program
  std::optional<CheckedProgram> program_;  // nullopt: invalid
  bool big_endian_;
  const ir::Policy& policy_;
  std::span<const arch::Arch> decides_;
  z3::context& ctx_;
  Query& query_;
  uint64_t checks_before_;
  SymbolicData vars_;
  uint32_t kill_rank_;
  z3::expr kill_;
  std::optional<TranslationWitness> mismatch_;
  uint64_t unknown_ = 0;
  std::string detail_;
};

}  // namespace

std::string TranslationWitness::describe() const {
  std::string s = sc::Mismatch{data, expected, actual}.describe();
  if (data.ip != 0)
    s += " (instruction pointer " + sc::hex(static_cast<uint32_t>(data.ip >> 32)) + ":" +
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

TranslationValidator::TranslationValidator() : ctx_(shared_context()), query_(std::make_unique<Query>(ctx_)) {}

TranslationValidator::~TranslationValidator() = default;

TranslationResult TranslationValidator::validate(std::span<const sc::Insn> program, bool big_endian,
                                                 const ir::Policy& policy, std::span<const arch::Arch> decides) {
  return Validation(ctx_, *query_, program, big_endian, policy, decides).run();
}

TranslationResult TranslationValidator::validate(const sc::ProgramArtifact& program, const ir::Policy& policy) {
  return validate(program.insns, arch::big_endian(program.arch), policy, program.decides);
}

TranslationResult validate_translation(std::span<const sc::Insn> program, bool big_endian, const ir::Policy& policy,
                                       std::span<const arch::Arch> decides) {
  return TranslationValidator().validate(program, big_endian, policy, decides);
}

TranslationResult validate_translation(const sc::ProgramArtifact& program, const ir::Policy& policy) {
  return TranslationValidator().validate(program, policy);
}

}  // namespace polc::verify
