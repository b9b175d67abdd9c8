// Stage: backends/seccomp. Per-syscall partition of the argument space by winning action (see
// partition.h).
#include "backends/seccomp/partition.h"

#include <seccomp.h>

#include <algorithm>
#include <map>

namespace polc::backends::seccomp {

namespace {

using Intervals = std::vector<std::pair<uint64_t, uint64_t>>;

bool is_plain(ir::CmpOp op) { return op != ir::CmpOp::MaskedEq && op != ir::CmpOp::MaskedNe; }

// The values (at the comparison's width) where a plain comparison holds, as sorted intervals.
Intervals intervals_of(const ir::ArgCmp& c) {
  const uint64_t w = c.width >= 64 ? ~uint64_t{0} : (uint64_t{1} << c.width) - 1;
  const uint64_t v = c.value;
  switch (c.op) {
    case ir::CmpOp::Eq: return {{v, v}};
    case ir::CmpOp::Ne: {
      Intervals out;
      if (v > 0) out.emplace_back(0, v - 1);
      if (v < w) out.emplace_back(v + 1, w);
      return out;
    }
    case ir::CmpOp::Lt: return v == 0 ? Intervals{} : Intervals{{0, v - 1}};
    case ir::CmpOp::Le: return {{0, v}};
    case ir::CmpOp::Gt: return v >= w ? Intervals{} : Intervals{{v + 1, w}};
    default: return {{v, w}};  // Ge
  }
}

Intervals intersect(const Intervals& a, const Intervals& b) {
  Intervals out;
  for (const auto& [alo, ahi] : a)
    for (const auto& [blo, bhi] : b) {
      const uint64_t lo = std::max(alo, blo), hi = std::min(ahi, bhi);
      if (lo <= hi) out.emplace_back(lo, hi);
    }
  std::sort(out.begin(), out.end());
  return out;
}

// Several plain comparisons of one argument (`persona not in {0, 8, 0xffffffff}`): their
// intersection as intervals, then native comparisons or cubes of the low bits. Intersecting each
// `!=` separately would multiply their pieces.
std::optional<ArgSet> plain_set(const ir::Clause& clause, uint8_t arg, CmpSpace space) {
  unsigned width = 0, count = 0;
  for (const ir::ArgCmp& c : clause) {
    if (c.arg != arg) continue;
    if (!is_plain(c.op) || (width != 0 && c.width != width) || c.width > space.bits) return std::nullopt;
    width = c.width;
    ++count;
  }
  if (count < 2) return std::nullopt;
  const uint64_t w = width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  Intervals set = {{0, w}};
  for (const ir::ArgCmp& c : clause)
    if (c.arg == arg) set = intersect(set, intervals_of(c));
  return from_low_intervals(set, width, space);
}

// The box of one clause, or nullopt (with the offending width) when an argument is compared at
// more bits than the arch's generated code can compare.
std::optional<Box> box_of(const ir::Clause& clause, CmpSpace space, unsigned* bad_width) {
  Box box;
  std::array<bool, 6> done{};
  for (uint8_t arg = 0; arg < 6; ++arg)
    if (auto set = plain_set(clause, arg, space)) {
      box.args[arg] = std::move(*set);
      done[arg] = true;
    }
  for (const ir::ArgCmp& cmp : clause) {
    if (done[cmp.arg]) continue;
    auto set = from_comparison(cmp, space);
    if (!set) {
      *bad_width = cmp.width;
      return std::nullopt;
    }
    box.args[cmp.arg] = intersect(box.args[cmp.arg], *set, space);
  }
  return box;
}

struct ActionOrder {
  bool operator()(const ir::Action& a, const ir::Action& b) const { return ir::more_restrictive(a, b); }
};

void spell_rules(const ir::SyscallRule& first, const ir::Action& action, const Region& region,
                 std::vector<LoweredRule>& out) {
  for (const Box& box : region) {
    // The cartesian product of the per-argument atom lists: one rule per combination.
    std::vector<std::pair<uint8_t, Atom>> cmps;
    auto expand = [&](auto&& self, size_t arg) -> void {
      if (arg == 6) {
        out.push_back({first.syscall, first.nr, action, cmps});
        return;
      }
      const ArgSet& set = box.args[arg];
      if (set.any) {
        self(self, arg + 1);
        return;
      }
      for (const Atom& atom : set.atoms) {
        cmps.emplace_back(static_cast<uint8_t>(arg), atom);
        self(self, arg + 1);
        cmps.pop_back();
      }
    };
    expand(expand, 0);
  }
}

// libseccomp 2.5 knows x86's and s390x's socket and IPC calls only as pseudo-syscalls that it
// spells as both the direct call and the multiplexer; it can add them unconditionally only.
bool multiplexed(arch::Arch a, const std::string& syscall) {
  if (a != arch::Arch::x86 && a != arch::Arch::s390x) return false;
  return seccomp_syscall_resolve_name_arch(arch::scmp_token(a), syscall.c_str()) < 0;
}

}  // namespace

CmpSpace compare_space(arch::Arch a) {
  // libseccomp treats x32 as a 32-bit arch and compares only the low word of its 64-bit registers.
  return CmpSpace{a == arch::Arch::x86 || a == arch::Arch::arm || a == arch::Arch::x32 ? 32u : 64u};
}

ArchPartition partition(const ir::ArchFilter& filter, const ir::Action& default_action) {
  ArchPartition out;
  out.arch = filter.arch;
  const CmpSpace space = compare_space(filter.arch);
  const auto& rules = filter.rules;
  for (size_t begin = 0; begin < rules.size();) {
    size_t end = begin;
    while (end < rules.size() && rules[end].nr == rules[begin].nr) ++end;

    // Each action's region, most restrictive first.
    std::map<ir::Action, Region, ActionOrder> by_action;
    bool ok = true;
    if (multiplexed(filter.arch, rules[begin].syscall))
      for (size_t i = begin; i < end && ok; ++i)
        if (!(rules[i].when.size() == 1 && rules[i].when[0].empty())) {
          out.errors.push_back({PartitionError::Kind::Multiplexed, &rules[i], 0, 0});
          ok = false;
        }
    for (size_t i = begin; i < end; ++i) {
      Region& region = by_action[rules[i].action];
      for (const ir::Clause& clause : rules[i].when) {
        unsigned bad_width = 0;
        auto box = box_of(clause, space, &bad_width);
        if (!box) {
          out.errors.push_back({PartitionError::Kind::TooWide, &rules[i], 0, bad_width});
          ok = false;
          break;
        }
        if (!box->empty()) region.push_back(std::move(*box));
      }
    }
    if (ok) {
      Region covered;
      uint64_t needed = 0;
      std::vector<LoweredRule> lowered;
      for (auto& [action, region] : by_action) {
        Region wins = subtract(region, covered, space);
        covered.insert(covered.end(), region.begin(), region.end());
        // A region whose action is the default needs no rule: nothing else matches there.
        if (action == default_action || wins.empty()) continue;
        for (const Box& b : wins) needed = std::min(kMaxRulesPerSyscall + 1, needed + std::min(kMaxRulesPerSyscall + 1, rule_count(b)));
        if (needed > kMaxRulesPerSyscall) break;
        spell_rules(rules[begin], action, wins, lowered);
      }
      if (needed > kMaxRulesPerSyscall) {
        out.errors.push_back({PartitionError::Kind::TooManyRules, &rules[begin], needed, space.bits});
      } else {
        // Overlapping boxes of one action can spell the same rule twice (two modules allowing
        // ioctl(TCGETS)); libseccomp would merge them, but the OCI profile would list them twice.
        const size_t start = out.rules.size();
        for (LoweredRule& r : lowered) {
          const bool seen = std::any_of(out.rules.begin() + static_cast<std::ptrdiff_t>(start), out.rules.end(),
                                        [&](const LoweredRule& u) { return u.action == r.action && u.cmps == r.cmps; });
          if (!seen) out.rules.push_back(std::move(r));
        }
      }
    }
    begin = end;
  }
  return out;
}

}  // namespace polc::backends::seccomp
