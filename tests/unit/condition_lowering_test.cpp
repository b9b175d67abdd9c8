// Property test of condition lowering, the most security-sensitive step of sema: random
// conditions over arguments of different kinds (signed 32-bit, unsigned 32-bit, unsigned 64-bit)
// are compiled, and what the IR's DNF decides for many argument values (boundaries, random values,
// garbage in the upper half of 32-bit registers) must equal what the condition means by C
// semantics at the width the kernel reads. fcntl's `arg` is read as `(int)arg` for the commands
// that take an int (F_SETFD, F_DUPFD, ...) and as the whole register for the others, so the
// meaning of a condition on it depends on the `cmd` of the call (docs/argument-widths.md); F_SETFD
// keeps only bit 0 (FD_CLOEXEC) of that int.
#include <doctest/doctest.h>

#include <cstdint>
#include <algorithm>
#include <random>

#include "tests/unit/test_support.h"

using namespace polc;

namespace {

// The syscall used: fcntl(fd: int, cmd: unsigned int, arg: unsigned long) on x86_64.
enum class Kind { S32, U32, U64 };
constexpr Kind kArgKinds[3] = {Kind::S32, Kind::U32, Kind::U64};
constexpr const char* kArgNames[3] = {"fd", "cmd", "arg"};

struct Cond {
  enum Op { Cmp, Mask, In, And, Or, Not } op = Cmp;
  int arg = 0;
  std::string rel;  // == != < <= > >=
  int64_t value = 0;
  uint64_t mask = 0;
  std::vector<int64_t> set;
  bool negated = false;
  std::vector<Cond> kids;
};

int64_t pick_value(std::mt19937_64& rng, Kind k) {
  static const int64_t interesting[] = {0, 1, 2, 7, 100, -1, -2, -100, 0x7fffffff, -0x7fffffff - 1, 0xffff};
  if (rng() % 3 != 0) {
    int64_t v = interesting[rng() % std::size(interesting)];
    if (k != Kind::S32 && v < 0) v = -v;  // unsigned arguments: keep written values non-negative
    return v;
  }
  const uint64_t r = rng();
  switch (k) {
    case Kind::S32: return static_cast<int32_t>(r);
    case Kind::U32: return static_cast<int64_t>(r & 0xffffffffu);
    case Kind::U64: return static_cast<int64_t>(r >> 1);
  }
  return 0;
}

Cond random_cond(std::mt19937_64& rng, int depth) {
  Cond c;
  const unsigned pick = static_cast<unsigned>(rng() % (depth > 2 ? 3 : 6));
  c.arg = static_cast<int>(rng() % 3);
  const Kind k = kArgKinds[c.arg];
  if (pick == 0 || pick == 1) {
    static const char* rels[] = {"==", "!=", "<", "<=", ">", ">="};
    c.op = Cond::Cmp;
    c.rel = rels[rng() % 6];
    c.value = pick_value(rng, k);
  } else if (pick == 2) {
    c.op = k == Kind::S32 ? Cond::In : Cond::Mask;
    if (c.op == Cond::Mask) {
      c.mask = (rng() % 2 ? 0xf0u : 0x10000u) | (rng() % 2 ? 0x1u : 0);
      c.value = static_cast<int64_t>(c.mask & (rng() % 2 ? 0xffu : 0));
      c.rel = rng() % 2 ? "==" : "!=";
    } else {
      c.negated = rng() % 2 != 0;
      for (int i = 0, n = 1 + static_cast<int>(rng() % 3); i < n; ++i) c.set.push_back(pick_value(rng, k));
    }
  } else {
    c.op = pick == 3 ? Cond::And : pick == 4 ? Cond::Or : Cond::Not;
    c.kids.push_back(random_cond(rng, depth + 1));
    if (c.op != Cond::Not) c.kids.push_back(random_cond(rng, depth + 1));
  }
  return c;
}

// A value as source text: negative values with unary minus (magnitude computed without overflow).
std::string num(int64_t v) {
  return v < 0 ? "-" + std::to_string(uint64_t{0} - static_cast<uint64_t>(v)) : std::to_string(v);
}

std::string render(const Cond& c) {
  const std::string a = kArgNames[c.arg];
  switch (c.op) {
    case Cond::Cmp: return a + " " + c.rel + " " + num(c.value);
    case Cond::Mask: return a + " & " + std::to_string(c.mask) + " " + c.rel + " " + std::to_string(c.value);
    case Cond::In: {
      std::string s = a + (c.negated ? " not in {" : " in {");
      for (size_t i = 0; i < c.set.size(); ++i) s += (i ? ", " : "") + num(c.set[i]);
      return s + "}";
    }
    case Cond::And: return "(" + render(c.kids[0]) + " && " + render(c.kids[1]) + ")";
    case Cond::Or: return "(" + render(c.kids[0]) + " || " + render(c.kids[1]) + ")";
    case Cond::Not: return "!(" + render(c.kids[0]) + ")";
  }
  return "";
}

// do_fcntl()'s commands that read `int argi = (int)arg`; F_SETFD (2) keeps only its bit 0.
constexpr uint32_t kIntCommands[] = {0, 2, 4, 8, 10, 1024, 1026, 1027, 1030, 1031, 1033};

bool int_command(uint64_t cmd_reg) {
  return std::find(std::begin(kIntCommands), std::end(kIntCommands), static_cast<uint32_t>(cmd_reg)) !=
         std::end(kIntCommands);
}
bool setfd(uint64_t cmd_reg) { return static_cast<uint32_t>(cmd_reg) == 2; }

// What the condition means for the kernel: the argument read at its width, signed where the type
// is signed; `arg` read as an int when `cmd` says so, the written value then read as the kernel
// reads a register holding it, except that an ordering with a value beyond the narrow type (above
// INT32_MAX or below INT32_MIN for the int, outside {-1, 0, 1} for F_SETFD's bit) is decided by
// which side of the type's range the value is on.
bool holds(const Cond& c, const uint64_t regs[3]) {
  const bool narrowed = c.arg == 2 && int_command(regs[1]);
  const bool bit0 = c.arg == 2 && setfd(regs[1]);
  const Kind k = kArgKinds[c.arg];
  const uint64_t reg = regs[c.arg];
  auto compare = [&](int64_t value, const std::string& rel) {
    const bool ordering = rel != "==" && rel != "!=";
    if (ordering && (bit0 || narrowed)) {
      const bool above = bit0 ? value > 1 : value > int64_t{INT32_MAX};
      const bool below = bit0 ? value < -1 : value < int64_t{INT32_MIN};
      if (above || below) return (rel == "<" || rel == "<=") == above;
    }
    if (bit0) {
      const uint64_t x = reg & 1, y = static_cast<uint64_t>(value) & 1;
      return rel == "=="   ? x == y
             : rel == "!=" ? x != y
             : rel == "<"  ? x < y
             : rel == "<=" ? x <= y
             : rel == ">"  ? x > y
                           : x >= y;
    }
    if (k == Kind::S32 || narrowed) {
      const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(reg));
      const int64_t y = narrowed ? static_cast<int32_t>(static_cast<uint32_t>(value)) : value;
      return rel == "=="   ? x == y
             : rel == "!=" ? x != y
             : rel == "<"  ? x < y
             : rel == "<=" ? x <= y
             : rel == ">"  ? x > y
                           : x >= y;
    }
    const uint64_t x = k == Kind::U32 ? (reg & 0xffffffffu) : reg;
    const uint64_t y = static_cast<uint64_t>(value);
    return rel == "=="   ? x == y
           : rel == "!=" ? x != y
           : rel == "<"  ? x < y
           : rel == "<=" ? x <= y
           : rel == ">"  ? x > y
                         : x >= y;
  };
  switch (c.op) {
    case Cond::Cmp: return compare(c.value, c.rel);
    case Cond::Mask: {
      if (bit0) return ((reg & c.mask & 1) == (static_cast<uint64_t>(c.value) & 1)) == (c.rel == "==");
      const uint64_t x = k == Kind::U64 && !narrowed ? reg : (reg & 0xffffffffu);
      return ((x & c.mask) == static_cast<uint64_t>(c.value)) == (c.rel == "==");
    }
    case Cond::In: {
      bool any = false;
      for (int64_t v : c.set) any |= compare(v, "==");
      return any != c.negated;
    }
    case Cond::And: return holds(c.kids[0], regs) && holds(c.kids[1], regs);
    case Cond::Or: return holds(c.kids[0], regs) || holds(c.kids[1], regs);
    case Cond::Not: return !holds(c.kids[0], regs);
  }
  return false;
}

// What the IR says: some clause whose every comparison holds on the width-truncated register.
bool ir_matches(const std::vector<ir::Clause>& when, const uint64_t regs[3]) {
  for (const ir::Clause& clause : when) {
    bool all = true;
    for (const ir::ArgCmp& a : clause) {
      const uint64_t wm = arch::width_mask(a.width);
      const uint64_t x = regs[a.arg] & wm;
      bool ok = false;
      switch (a.op) {
        case ir::CmpOp::Eq: ok = x == a.value; break;
        case ir::CmpOp::Ne: ok = x != a.value; break;
        case ir::CmpOp::Lt: ok = x < a.value; break;
        case ir::CmpOp::Le: ok = x <= a.value; break;
        case ir::CmpOp::Gt: ok = x > a.value; break;
        case ir::CmpOp::Ge: ok = x >= a.value; break;
        case ir::CmpOp::MaskedEq: ok = (x & a.mask) == a.value; break;
        case ir::CmpOp::MaskedNe: ok = (x & a.mask) != a.value; break;
      }
      all = all && ok;
    }
    if (all) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("lowered conditions decide exactly what the written conditions mean") {
  std::mt19937_64 rng(20261127);
  int checked = 0;
  for (int round = 0; round < 300; ++round) {
    const Cond cond = random_cond(rng, 0);
    const std::string text = render(cond);
    auto c = test::compile(test::policy_with("syscalls { default errno(EPERM) allow fcntl(" + text + ") }"));
    REQUIRE_MESSAGE(c->policy, text);
    const ir::SyscallRule* rule = nullptr;
    for (const auto& r : c->policy->syscalls.arches.at(0).rules)
      if (r.syscall == "fcntl") rule = &r;
    REQUIRE(rule != nullptr);
    for (int sample = 0; sample < 64; ++sample) {
      uint64_t regs[3];
      for (int i = 0; i < 3; ++i) {
        const uint64_t base = static_cast<uint64_t>(pick_value(rng, kArgKinds[i]));
        // Garbage in the upper half must not change the decision for 32-bit arguments.
        regs[i] = kArgKinds[i] == Kind::U64 ? base : (base & 0xffffffffu) | (rng() % 2 ? (rng() << 32) : 0);
        if (rng() % 4 == 0) regs[i] = rng();
      }
      // Half of the calls use a command that narrows `arg`, with garbage above it half the time.
      if (rng() % 2 == 0) regs[1] = kIntCommands[rng() % std::size(kIntCommands)] | (rng() % 2 ? (rng() << 32) : 0);
      const bool want = holds(cond, regs), got = ir_matches(rule->when, regs);
      if (want != got) {
        FAIL_CHECK("condition `", text, "` with args ", regs[0], ", ", regs[1], ", ", regs[2], ": written ", want,
                   ", IR ", got);
        break;
      }
      ++checked;
    }
  }
  CHECK(checked >= 300 * 64);
}
