// Random syscall policies for the seccomp generators' differential tests: the libFuzzer target
// (fuzz_seccomp_gen.cpp) draws them from its input bytes, the oracle unit test
// (tests/unit/seccomp_oracle_test.cpp) from seeded random bytes. The policy is built as sema would
// leave it: real syscall numbers of each target, conditions in the IR's normal form (to_dnf) and
// the rules in canonical order (canonicalize), so that any program the generators make from it
// must decide exactly as ir::decide does.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "compiler/arch/arch.h"
#include "compiler/ir/ir.h"
#include "compiler/ir/normalize.h"
#include "compiler/sema/syscall_table.h"

namespace polc::test {

// Reads numbers from a byte string; past its end every read is 0, so any input (the empty one
// too) makes a policy, and shorter inputs make smaller ones.
class ByteSource {
 public:
  explicit ByteSource(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  uint8_t byte() { return pos_ < bytes_.size() ? bytes_[pos_++] : 0; }
  bool exhausted() const { return pos_ >= bytes_.size(); }
  // A number in [0, n), n > 0.
  uint32_t below(uint32_t n) {
    uint32_t v = byte();
    if (n > 256) v = (v << 8) | byte();
    if (n > 65536) v = (v << 16) | (uint32_t{byte()} << 8) | byte();
    return v % n;
  }
  uint64_t u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
    return v;
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

namespace random_policy_detail {

inline ir::Action random_action(ByteSource& in) {
  using K = ir::ActionKind;
  // Allow and errno most often, as real policies; every kind appears.
  static constexpr K kinds[] = {K::Allow, K::Allow, K::Allow, K::Errno,     K::Errno, K::Errno, K::KillProcess,
                                K::KillThread, K::Trap, K::Trace, K::Log, K::UserNotif};
  const K k = kinds[in.below(std::size(kinds))];
  uint16_t data = 0;
  if (k == K::Errno) data = static_cast<uint16_t>(1 + in.below(in.below(4) == 0 ? 4095 : 40));
  if (k == K::Trace) data = static_cast<uint16_t>(in.below(65536));
  return {k, data};
}

// Constants at the edges that generators get wrong: 0, small numbers, the 32-bit boundary, the
// sign bits, all ones, and anything.
inline uint64_t random_value(ByteSource& in, unsigned width) {
  const uint64_t m = arch::width_mask(width);
  uint64_t v = 0;
  switch (in.below(10)) {
    case 0: v = 0; break;
    case 1: v = in.below(8); break;
    case 2: v = 0x5400 + in.below(64); break;  // ioctl-request-like
    case 3: v = 0xffffffffull - in.below(3); break;
    case 4: v = 0x80000000ull + in.below(3) - 1; break;
    case 5: v = 0x100000000ull + in.below(3) - 1; break;
    case 6: v = ~uint64_t{0} - in.below(3); break;
    case 7: v = uint64_t{1} << in.below(64); break;
    case 8: v = (uint64_t{in.below(4)} << 32) | in.below(1000); break;
    default: v = in.u64(); break;
  }
  return v & m;
}

// The arches whose filters compare only the low 32 bits of an argument: a 64-bit comparison there
// is E0601 for both generators, so a policy has them only when `too_wide` is drawn (rarely).
inline bool narrow(arch::Arch a) { return arch::register_bits(a) == 32 || a == arch::Arch::x32; }

// `plain_width` != 0: a plain comparison (==, !=, <, <=, >, >=) at that width.
inline ir::ArgCmp random_cmp(ByteSource& in, arch::Arch a, uint8_t arg, bool too_wide, unsigned plain_width) {
  ir::ArgCmp c;
  c.arg = arg;
  static constexpr uint8_t widths[] = {64, 64, 32, 32, 16};
  c.width = widths[in.below(5)];
  if (narrow(a) && c.width == 64 && !too_wide) c.width = 32;
  c.op = static_cast<ir::CmpOp>(in.below(8));
  if (plain_width != 0) {
    c.width = static_cast<uint8_t>(plain_width);
    c.op = static_cast<ir::CmpOp>(in.below(6));
  }
  c.value = random_value(in, c.width);
  if (c.op == ir::CmpOp::MaskedEq || c.op == ir::CmpOp::MaskedNe) {
    c.mask = in.below(3) == 0 ? random_value(in, c.width) : (uint64_t{1} << in.below(c.width));
    if (c.mask == 0) c.mask = 1;
    c.value &= c.mask;
  } else {
    c.mask = ~uint64_t{0};
  }
  return c;
}

// A condition: one comparison, a set (`arg in {...}`, sometimes large, with values in runs like
// ioctl requests), or a small and/or/not tree over up to three arguments.
// `only_arg` >= 0: every comparison is a plain one on that argument at `plain_width` (the shape
// libseccomp takes best).
inline ir::BoolExpr random_condition(ByteSource& in, arch::Arch a, bool too_wide, int only_arg, unsigned plain_width) {
  const uint8_t arg = static_cast<uint8_t>(only_arg >= 0           ? only_arg
                                           : in.below(4) == 0 ? in.below(6)
                                                              : in.below(2));
  switch (in.below(6)) {
    case 0: return ir::BoolExpr::compare(random_cmp(in, a, arg, too_wide, plain_width));
    case 1: {
      std::vector<ir::BoolExpr> values;
      const unsigned width = plain_width != 0 ? plain_width : in.below(2) ? 32 : 64;
      const unsigned n = 2 + in.below(in.below(4) == 0 ? 80 : 8);
      uint64_t v = random_value(in, width);
      for (unsigned i = 0; i < n; ++i) {
        v = in.below(3) == 0 ? random_value(in, width) : (v + 1 + in.below(4)) & arch::width_mask(width);
        ir::ArgCmp c{arg, static_cast<uint8_t>(width), ir::CmpOp::Eq, ~uint64_t{0}, v};
        if (narrow(a) && width == 64 && !too_wide) {
          c.width = 32;
          c.value &= 0xffffffff;
        }
        values.push_back(ir::BoolExpr::compare(c));
      }
      return ir::BoolExpr::any(std::move(values));
    }
    default: {
      std::vector<ir::BoolExpr> kids;
      const unsigned n = 2 + in.below(3);
      for (unsigned i = 0; i < n; ++i) {
        const uint8_t which = static_cast<uint8_t>(only_arg >= 0     ? only_arg
                                                   : in.below(3) == 0 ? in.below(6)
                                                                      : (arg + in.below(2)) % 6);
        ir::BoolExpr e = ir::BoolExpr::compare(random_cmp(in, a, which, too_wide, plain_width));
        if (in.below(5) == 0) e = ir::BoolExpr::negate(std::move(e));
        kids.push_back(std::move(e));
      }
      return in.below(2) ? ir::BoolExpr::all(std::move(kids)) : ir::BoolExpr::any(std::move(kids));
    }
  }
}

// Syscall numbers to give rules to: runs of neighbours (they make number ranges), scattered ones,
// the x86/s390x socket and IPC calls and their multiplexers, and the numbers at the ends.
inline std::vector<std::pair<int, std::string>> random_syscalls(ByteSource& in, arch::Arch a, unsigned count) {
  static const auto tables = [] {
    std::vector<std::vector<std::pair<int64_t, std::string>>> t;
    for (arch::Arch x : arch::kAllArches) t.push_back(sema::syscall_names(x));
    return t;
  }();
  const auto& table = tables[static_cast<size_t>(a)];
  std::vector<std::pair<int, std::string>> out;
  if (table.empty()) return out;
  auto add = [&](size_t i) { out.emplace_back(static_cast<int>(table[i].first), table[i].second); };
  for (unsigned i = 0; i < count; ++i) {
    switch (in.below(8)) {
      case 0: {  // a run of neighbours
        const size_t start = in.below(static_cast<uint32_t>(table.size()));
        const size_t len = 1 + in.below(12);
        for (size_t k = start; k < std::min(table.size(), start + len); ++k) add(k);
        break;
      }
      case 1: add(in.below(2) ? 0 : table.size() - 1); break;
      case 2: {  // socket/IPC calls (direct and multiplexed on x86 and s390x)
        static constexpr const char* names[] = {"socket", "socketcall", "ipc", "connect", "semget", "accept4"};
        const char* name = names[in.below(std::size(names))];
        for (size_t k = 0; k < table.size(); ++k)
          if (table[k].second == name) add(k);
        break;
      }
      default: add(in.below(static_cast<uint32_t>(table.size()))); break;
    }
  }
  return out;
}

}  // namespace random_policy_detail

// A policy over `targets` (canonical arch order, one family or several): for each target a few
// syscalls, each with one to four rules of random actions and conditions, and a random default.
// `max_syscalls` bounds the syscalls drawn per target (runs of neighbours may add more). Half of
// the policies test one argument per syscall (see single_argument).
inline ir::Policy random_policy(ByteSource& in, std::vector<arch::Arch> targets, unsigned max_syscalls = 24) {
  using namespace random_policy_detail;
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  ir::Policy p;
  p.name = "random";
  p.version = 1;
  p.targets = targets;
  p.syscalls.default_action = random_action(in);
  p.syscalls.default_written = true;
  const bool too_wide = in.below(8) == 0;
  const bool one_argument = in.below(2) == 0;
  for (arch::Arch a : targets) {
    ir::ArchFilter f;
    f.arch = a;
    const unsigned count = 1 + in.below(max_syscalls);
    for (const auto& [nr, name] : random_syscalls(in, a, count)) {
      const int only_arg = one_argument ? static_cast<int>(in.below(3)) : -1;
      const unsigned plain_width = !one_argument ? 0 : narrow(a) || in.below(2) ? 32 : 64;
      const unsigned rules = 1 + in.below(in.below(3) == 0 ? 4 : 2);
      for (unsigned r = 0; r < rules; ++r) {
        ir::SyscallRule rule;
        rule.syscall = name;
        rule.nr = nr;
        rule.action = random_action(in);
        if (in.below(3) == 0) {
          rule.when = {ir::Clause{}};
        } else if (auto dnf = ir::to_dnf(random_condition(in, a, too_wide, only_arg, plain_width), 64)) {
          rule.when = std::move(*dnf);
        } else {
          continue;
        }
        if (rule.when.empty()) continue;  // never true: sema drops such rules
        f.rules.push_back(std::move(rule));
      }
    }
    p.syscalls.arches.push_back(std::move(f));
  }
  ir::canonicalize(p);
  return p;
}

// True when every syscall's rules make plain comparisons of one argument at one width: the rules
// libseccomp takes without multiplying them (partition's single-argument path) and without the
// rule shapes on which libseccomp 2.5 loops (seen with masks and mixed widths on one argument).
inline bool single_argument(const ir::Policy& p) {
  for (const ir::ArchFilter& f : p.syscalls.arches)
    for (size_t i = 0; i < f.rules.size();) {
      int arg = -1;
      unsigned width = 0;
      size_t j = i;
      for (; j < f.rules.size() && f.rules[j].nr == f.rules[i].nr; ++j)
        for (const ir::Clause& c : f.rules[j].when)
          for (const ir::ArgCmp& cmp : c) {
            if ((arg >= 0 && (cmp.arg != arg || cmp.width != width)) || cmp.op == ir::CmpOp::MaskedEq ||
                cmp.op == ir::CmpOp::MaskedNe)
              return false;
            arg = cmp.arg;
            width = cmp.width;
          }
      i = j;
    }
  return true;
}

// True when a rule of one of `decides` compares more than 32 bits on an arch whose filter compares
// only the low word (E0601 for both generators).
inline bool too_wide(const ir::Policy& p, std::span<const arch::Arch> decides) {
  for (const ir::ArchFilter& f : p.syscalls.arches) {
    if (std::find(decides.begin(), decides.end(), f.arch) == decides.end() || !random_policy_detail::narrow(f.arch))
      continue;
    for (const ir::SyscallRule& r : f.rules)
      for (const ir::Clause& c : r.when)
        for (const ir::ArgCmp& cmp : c)
          if (cmp.width > 32) return true;
  }
  return false;
}

// Targets for a random policy whose first program decides `a`: `a` and a random subset of the
// rest of its family (x86_64 with x86 and x32, aarch64 with arm).
inline std::vector<arch::Arch> random_family(ByteSource& in, arch::Arch a) {
  std::vector<arch::Arch> out = {a};
  for (arch::Arch x : arch::kAllArches)
    if (x != a && (arch::family(a) & arch::bit(x)) && in.below(2)) out.push_back(x);
  return out;
}

}  // namespace polc::test
