// Stage: verify. Symbolic execution of classic BPF by forward state merging (see bpf_symbolic.h).
// Every case mirrors backends/seccomp/bpf_interp.cpp's `run`; a difference between the two is a
// bug here, and the translation tests replay every solver witness through `run` to catch one.
#include "compiler/verify/bpf_symbolic.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "backends/seccomp/bpf_interp.h"

namespace polc::verify {

namespace {

using backends::seccomp::Insn;
using namespace backends::seccomp::bpf;
namespace sc = backends::seccomp;

constexpr uint16_t code(uint16_t a, uint16_t b, uint16_t c = 0) { return static_cast<uint16_t>(a | b | c); }

// Boolean and if-then-else constructors that fold constants, so that fixed inputs prune the walk.
z3::expr both(const z3::expr& a, const z3::expr& b) {
  if (a.is_false() || b.is_true()) return a;
  if (b.is_false() || a.is_true()) return b;
  return a && b;
}

z3::expr either(const z3::expr& a, const z3::expr& b) {
  if (a.is_true() || b.is_false()) return a;
  if (b.is_true() || a.is_false()) return b;
  return a || b;
}

z3::expr negate(const z3::expr& a) {
  if (a.is_true()) return a.ctx().bool_val(false);
  if (a.is_false()) return a.ctx().bool_val(true);
  return !a;
}

z3::expr choose(const z3::expr& c, const z3::expr& then, const z3::expr& otherwise) {
  if (c.is_true() || z3::eq(then, otherwise)) return then;
  if (c.is_false()) return otherwise;
  return z3::ite(c, then, otherwise);
}

// What reaches one instruction: the condition under which it runs and the machine state then.
struct State {
  z3::expr reach;
  z3::expr a;
  z3::expr x;
  std::vector<z3::expr> mem;  // M[0..15]
};

// The 32-bit word at `off` (validated: aligned and inside seccomp_data), as `run` reads it from the
// image `layout` builds: a 64-bit field's halves at half_offset for the byte order.
z3::expr load_word(const SymbolicData& d, uint32_t off, bool big_endian) {
  if (off == sc::kOffsetNr) return d.nr;
  if (off == sc::kOffsetArch) return d.arch;
  const bool is_ip = off < sc::kOffsetArgs;
  const uint32_t base = is_ip ? sc::kOffsetIp : sc::kOffsetArgs + (off - sc::kOffsetArgs) / 8 * 8;
  const z3::expr& field = is_ip ? d.ip : d.args[(off - sc::kOffsetArgs) / 8];
  const bool high = off == sc::half_offset(base, true, big_endian);
  if (auto v = numeral(field)) return field.ctx().bv_val(static_cast<unsigned>(high ? *v >> 32 : *v), 32);
  return high ? field.extract(63, 32) : field.extract(31, 0);
}

// A <op> src for every ALU operation but division (which can end the program).
z3::expr alu(uint16_t op, const z3::expr& a, const z3::expr& src) {
  z3::context& ctx = a.ctx();
  const auto ca = numeral(a);
  const auto cs = numeral(src);
  if (ca && cs) {
    const auto x = static_cast<uint32_t>(*ca);
    const auto y = static_cast<uint32_t>(*cs);
    uint32_t r = 0;
    switch (op) {
      case kAdd: r = x + y; break;
      case kSub: r = x - y; break;
      case kMul: r = x * y; break;
      case kAnd: r = x & y; break;
      case kOr: r = x | y; break;
      case kXor: r = x ^ y; break;
      case kLsh: r = x << (y & 31); break;
      case kRsh: r = x >> (y & 31); break;
      case kNeg: r = 0u - x; break;
      default: break;
    }
    return ctx.bv_val(r, 32);
  }
  // Shifts by X are masked to 5 bits (eBPF's 32-bit shift); constant ones are below 32 already.
  auto amount = [&] { return cs ? ctx.bv_val(static_cast<unsigned>(*cs & 31), 32) : src & ctx.bv_val(31, 32); };
  switch (op) {
    case kAdd: return a + src;
    case kSub: return a - src;
    case kMul: return a * src;
    case kAnd: return a & src;
    case kOr: return a | src;
    case kXor: return a ^ src;
    case kLsh: return z3::shl(a, amount());
    case kRsh: return z3::lshr(a, amount());
    case kNeg: return -a;
    default: return a;  // not reached: `execute` only passes these operations
  }
}

// The comparison of a field with the constant `k` when `facts` decide it.
std::optional<bool> decided_by(const FieldFacts& facts, uint16_t op, uint32_t k) {
  switch (op) {
    case kJeq:
      if (k < facts.lo || k > facts.hi || std::binary_search(facts.excluded.begin(), facts.excluded.end(), k))
        return false;
      if (facts.lo == facts.hi) return true;
      return std::nullopt;
    case kJgt:
      if (facts.lo > k) return true;
      if (facts.hi <= k) return false;
      return std::nullopt;
    case kJge:
      if (facts.lo >= k) return true;
      if (facts.hi < k) return false;
      return std::nullopt;
    default: return std::nullopt;  // kJset: the facts are intervals, not bit patterns
  }
}

// The condition of a conditional jump. `compared_nr` (if any) collects the constants the number is
// compared with where the facts leave the comparison open.
z3::expr jump_condition(uint16_t op, const z3::expr& a, const z3::expr& src, const SymbolicData& data,
                        const Facts& facts, std::vector<uint32_t>* compared_nr) {
  z3::context& ctx = a.ctx();
  const auto ca = numeral(a);
  const auto cs = numeral(src);
  if (cs && !ca && z3::eq(a, data.arch))
    if (auto d = decided_by(facts.arch, op, static_cast<uint32_t>(*cs))) return ctx.bool_val(*d);
  if (cs && !ca && z3::eq(a, data.nr)) {
    if (auto d = decided_by(facts.nr, op, static_cast<uint32_t>(*cs))) return ctx.bool_val(*d);
    if (compared_nr) compared_nr->push_back(static_cast<uint32_t>(*cs));
  }
  if (ca && cs) {
    switch (op) {
      case kJeq: return ctx.bool_val(*ca == *cs);
      case kJgt: return ctx.bool_val(*ca > *cs);
      case kJge: return ctx.bool_val(*ca >= *cs);
      default: return ctx.bool_val((*ca & *cs) != 0);  // kJset
    }
  }
  switch (op) {
    case kJeq: return a == src;
    case kJgt: return z3::ugt(a, src);
    case kJge: return z3::uge(a, src);
    default: return (a & src) != ctx.bv_val(0, 32);  // kJset
  }
}

class Walk {
 public:
  Walk(std::span<const Insn> program, bool big_endian, const SymbolicData& data, const Facts& facts,
       std::vector<uint32_t>* compared_nr)
      : program_(program),
        big_endian_(big_endian),
        data_(data),
        facts_(facts),
        compared_nr_(compared_nr),
        ctx_(data.nr.ctx()) {}

  std::vector<Exit> run() {
    const z3::expr zero = ctx_.bv_val(0, 32);
    pending_.emplace(0, State{ctx_.bool_val(true), zero, zero, std::vector<z3::expr>(kMemWords, zero)});
    // Jumps only go forward, so taking the lowest pending instruction first sees every state that
    // reaches an instruction before the instruction runs. Only reachable instructions are visited,
    // which makes a walk with fixed inputs as long as its path.
    while (!pending_.empty()) {
      auto first = pending_.begin();
      const size_t pc = first->first;
      State s = std::move(first->second);
      pending_.erase(first);
      // Every opcode the checker accepts is modelled, so this is a bug here, never a verdict.
      if (!step(pc, std::move(s)))
        throw std::logic_error("instruction " + std::to_string(pc) + ": opcode " + sc::hex(program_[pc].code) +
                               " is not modelled by the symbolic executor");
    }
    if (compared_nr_) {
      std::sort(compared_nr_->begin(), compared_nr_->end());
      compared_nr_->erase(std::unique(compared_nr_->begin(), compared_nr_->end()), compared_nr_->end());
    }
    return std::move(exits_);
  }

 private:
  // Adds the state `s` to what reaches `target`: the first arrival is kept as is; later ones are
  // merged, each value chosen by the arriving path's condition (the paths are disjoint).
  void flow(size_t target, State s) {
    if (s.reach.is_false()) return;
    auto slot = pending_.find(target);
    if (slot == pending_.end()) {
      pending_.emplace(target, std::move(s));
      return;
    }
    State& o = slot->second;
    o.a = choose(s.reach, s.a, o.a);
    o.x = choose(s.reach, s.x, o.x);
    for (size_t i = 0; i < kMemWords; ++i) o.mem[i] = choose(s.reach, s.mem[i], o.mem[i]);
    o.reach = either(o.reach, s.reach);
  }

  void exit(const z3::expr& when, const z3::expr& value) {
    if (!when.is_false()) exits_.push_back(Exit{when, value});
  }

  bool step(size_t pc, State s) {
    const Insn& insn = program_[pc];
    const z3::expr k = ctx_.bv_val(insn.k, 32);
    const z3::expr src = op_src(insn.code) == kX ? s.x : k;
    switch (insn.code) {
      case code(kLd, kW, kAbs): s.a = load_word(data_, insn.k, big_endian_); break;
      case code(kLd, kW, kLen): s.a = ctx_.bv_val(sc::kSeccompDataSize, 32); break;  // seccomp's rewrite
      case code(kLdx, kW, kLen): s.x = ctx_.bv_val(sc::kSeccompDataSize, 32); break;
      case code(kLd, kImm): s.a = k; break;
      case code(kLdx, kImm): s.x = k; break;
      case code(kLd, kMem): s.a = s.mem[insn.k]; break;
      case code(kLdx, kMem): s.x = s.mem[insn.k]; break;
      case code(kSt, 0): s.mem[insn.k] = s.a; break;
      case code(kStx, 0): s.mem[insn.k] = s.x; break;
      case code(kMisc, kTax): s.x = s.a; break;
      case code(kMisc, kTxa): s.a = s.x; break;
      case code(kAlu, kDiv, kK):
      case code(kAlu, kDiv, kX): {
        // The kernel ends the program with 0 (kill_thread) on a division by X == 0; the checker
        // has refused a constant 0 already.
        const auto divisor = numeral(src);
        if (divisor && *divisor == 0) {
          exit(s.reach, ctx_.bv_val(0, 32));
          return true;
        }
        if (!divisor) {
          const z3::expr zero = ctx_.bv_val(0, 32);
          exit(both(s.reach, src == zero), zero);
          s.reach = both(s.reach, src != zero);
        }
        const auto dividend = numeral(s.a);
        s.a = dividend && divisor ? ctx_.bv_val(static_cast<uint32_t>(*dividend) / static_cast<uint32_t>(*divisor), 32)
                                  : z3::udiv(s.a, src);
        break;
      }
      case code(kAlu, kAdd, kK):
      case code(kAlu, kAdd, kX):
      case code(kAlu, kSub, kK):
      case code(kAlu, kSub, kX):
      case code(kAlu, kMul, kK):
      case code(kAlu, kMul, kX):
      case code(kAlu, kAnd, kK):
      case code(kAlu, kAnd, kX):
      case code(kAlu, kOr, kK):
      case code(kAlu, kOr, kX):
      case code(kAlu, kXor, kK):
      case code(kAlu, kXor, kX):
      case code(kAlu, kLsh, kK):
      case code(kAlu, kLsh, kX):
      case code(kAlu, kRsh, kK):
      case code(kAlu, kRsh, kX):
      case code(kAlu, kNeg): s.a = alu(op_op(insn.code), s.a, src); break;
      case code(kJmp, kJa): flow(pc + 1 + insn.k, std::move(s)); return true;
      case code(kJmp, kJeq, kK):
      case code(kJmp, kJeq, kX):
      case code(kJmp, kJgt, kK):
      case code(kJmp, kJgt, kX):
      case code(kJmp, kJge, kK):
      case code(kJmp, kJge, kX):
      case code(kJmp, kJset, kK):
      case code(kJmp, kJset, kX): {
        if (insn.jt == insn.jf) {
          flow(pc + 1 + insn.jt, std::move(s));
          return true;
        }
        const z3::expr c = jump_condition(op_op(insn.code), s.a, src, data_, facts_, compared_nr_);
        State taken = s;
        taken.reach = both(s.reach, c);
        s.reach = both(s.reach, negate(c));
        flow(pc + 1 + insn.jt, std::move(taken));
        flow(pc + 1 + insn.jf, std::move(s));
        return true;
      }
      case code(kRet, kK): exit(s.reach, k); return true;
      case code(kRet, kA): exit(s.reach, s.a); return true;
      default: return false;
    }
    flow(pc + 1, std::move(s));
    return true;
  }

  std::span<const Insn> program_;
  bool big_endian_;
  const SymbolicData& data_;
  const Facts& facts_;
  std::vector<uint32_t>* compared_nr_;
  z3::context& ctx_;
  std::map<size_t, State> pending_;  // what reaches each instruction not yet run
  std::vector<Exit> exits_;
};

}  // namespace

std::optional<uint64_t> numeral(const z3::expr& e) {
  uint64_t v = 0;
  // is_numeral first: asking Z3 for the value of a non-numeral is an API error.
  if (e.is_numeral() && e.is_numeral_u64(v)) return v;
  return std::nullopt;
}

SymbolicData make_data(z3::context& ctx) {
  return {ctx.bv_const("nr", 32), ctx.bv_const("arch", 32), ctx.bv_const("ip", 64), make_args(ctx)};
}

std::optional<CheckedProgram> CheckedProgram::check(std::span<const Insn> program, std::string* error) {
  if (auto invalid = sc::validate(program)) {
    if (error) *error = *invalid;
    return std::nullopt;
  }
  return CheckedProgram(program);
}

std::vector<Exit> execute(const CheckedProgram& program, bool big_endian, const SymbolicData& data, const Facts& facts,
                          std::vector<uint32_t>* compared_nr) {
  return Walk(program.insns(), big_endian, data, facts, compared_nr).run();
}

z3::expr return_value(const std::vector<Exit>& exits) {
  // The exits are disjoint and cover every input, so the last needs no condition.
  z3::expr out = exits.back().value;
  for (size_t i = exits.size() - 1; i-- > 0;) out = z3::ite(exits[i].when, exits[i].value, out);
  return out;
}

std::optional<uint32_t> return_for_numbers(std::span<const backends::seccomp::Insn> insns, uint32_t audit, uint32_t lo,
                                           uint32_t hi) {
  namespace bpf = backends::seccomp::bpf;
  constexpr uint32_t kNrOffset = 0, kArchOffset = 4;  // struct seccomp_data
  enum class Held : uint8_t { Nothing, Number, Constant };
  Held held = Held::Nothing;
  uint32_t a = 0;  // A's value when held is Constant
  for (size_t pc = 0; pc < insns.size();) {
    const backends::seccomp::Insn& in = insns[pc];
    if (in.code == (bpf::kRet | bpf::kK)) return in.k;
    if (in.code == (bpf::kRet | bpf::kA)) return held == Held::Constant ? std::optional(a) : std::nullopt;
    if (in.code == (bpf::kLd | bpf::kW | bpf::kAbs)) {
      if (in.k == kNrOffset) held = Held::Number;
      else if (in.k == kArchOffset) held = Held::Constant, a = audit;
      else return std::nullopt;  // the instruction pointer or an argument
      ++pc;
      continue;
    }
    if (in.code == (bpf::kLd | bpf::kW | bpf::kImm)) {
      held = Held::Constant, a = in.k;
      ++pc;
      continue;
    }
    // ALU, scratch cells, X: left to the symbolic walk.
    if (bpf::op_class(in.code) != bpf::kJmp) return std::nullopt;
    if (bpf::op_op(in.code) == bpf::kJa) {
      pc += 1 + static_cast<size_t>(in.k);
      continue;
    }
    if (bpf::op_src(in.code) != bpf::kK || held == Held::Nothing) return std::nullopt;
    auto taken = [&](uint32_t v) -> std::optional<bool> {
      switch (bpf::op_op(in.code)) {
        case bpf::kJeq: return v == in.k;
        case bpf::kJgt: return v > in.k;
        case bpf::kJge: return v >= in.k;
        case bpf::kJset: return (v & in.k) != 0;
        default: return std::nullopt;
      }
      return std::nullopt;
    };
    std::optional<bool> jump;
    if (held == Held::Constant) {
      jump = taken(a);
    } else {
      // Over the range: the same outcome at both ends, and no number in between that differs (a
      // bit test can differ between any two numbers, an equality at a constant inside the range).
      const auto first = taken(lo), last = taken(hi);
      const bool inside = bpf::op_op(in.code) == bpf::kJeq && lo < in.k && in.k < hi;
      if (!first || first != last || inside || (bpf::op_op(in.code) == bpf::kJset && lo != hi)) return std::nullopt;
      jump = first;
    }
    if (!jump) return std::nullopt;
    pc += 1 + static_cast<size_t>(*jump ? in.jt : in.jf);
  }
  return std::nullopt;  // ran off the end (a checked program never does)
}

}  // namespace polc::verify
