// Stage: backends/seccomp. Per-syscall partition of the argument space by winning action (see
// partition.h).
#include "backends/seccomp/partition.h"

#include "backends/seccomp/intervals.h"

#include <seccomp.h>

#include <algorithm>
#include <bit>
#include <map>
#include <span>

#include "compiler/arch/arch.h"

namespace polc::backends::seccomp {

namespace {

// The box of one clause, or nullopt (with the offending width) when an argument is compared at
// more bits than the arch's generated code can compare.
std::optional<Box> box_of(const ir::Clause& clause, CmpSpace space, unsigned* bad_width) {
  Box box;
  for (const ir::ArgCmp& cmp : clause) {
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

// The arguments a box tests, as a bit set.
unsigned signature(const Box& box) {
  unsigned sig = 0;
  for (unsigned a = 0; a < 6; ++a)
    if (!box.args[a].any) sig |= 1u << a;
  return sig;
}

// libseccomp 2.5.4 miscompiles or loops forever on some syscalls whose rules test several
// arguments with ordering or `!=` comparisons: it reuses a 64-bit `>=` test while the accumulator
// holds another argument, drops the chains under a `!=` merged with an `==`, and loops adding rules
// that share an ordering comparison and continue with different arguments. Its `==` and masked `==`
// code has none of these problems, and rules that each test one argument never continue from a
// shared comparison. So when any rule of a syscall tests more than one argument, every comparison
// of that syscall is spelled as masked equalities (as_masked; exact, but more rules).
Box libseccomp_safe(Box box, CmpSpace space) {
  for (ArgSet& set : box.args) set = as_masked(set, space);
  return box;
}

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

// Fast path: every clause of every rule tests the same argument with plain comparisons at one
// width (or nothing). The regions are then interval sets, subtracted exactly and spelled with the
// fewest comparisons; the general box algebra would fragment "everything but these ranges".
std::optional<std::vector<std::pair<ir::Action, Region>>> single_argument_wins(std::span<const ir::SyscallRule> group,
                                                                               CmpSpace space) {
  int arg = -1;
  unsigned width = 0;
  for (const ir::SyscallRule& r : group)
    for (const ir::Clause& clause : r.when)
      for (const ir::ArgCmp& c : clause) {
        if (!is_plain(c.op) || c.width > space.bits || (arg >= 0 && (c.arg != arg || c.width != width)))
          return std::nullopt;
        arg = c.arg;
        width = c.width;
      }
  if (arg < 0) return std::nullopt;  // unconditional rules only: the general path is as simple
  const uint64_t w = arch::width_mask(width);
  std::map<ir::Action, Intervals, ActionOrder> by_action;
  for (const ir::SyscallRule& r : group) {
    Intervals& set = by_action[r.action];
    for (const ir::Clause& clause : r.when) {
      Intervals c = {{0, w}};
      for (const ir::ArgCmp& cmp : clause) c = intersect(c, intervals_of(cmp));
      set = unite(std::move(set), c);
    }
  }
  std::vector<std::pair<ir::Action, Region>> out;
  Intervals covered;
  for (const auto& [action, set] : by_action) {
    const Intervals mine = subtract(set, covered);
    covered = unite(std::move(covered), set);
    if (mine.empty()) continue;
    Box box;
    box.args[static_cast<size_t>(arg)] = from_low_intervals(mine, width, space);
    out.emplace_back(action, Region{std::move(box)});
  }
  return out;
}

// General path: boxes of argument sets, subtracted in order of restrictiveness. nullopt (with
// errors added) when a comparison cannot be expressed.
std::optional<std::vector<std::pair<ir::Action, Region>>> general_wins(std::span<const ir::SyscallRule> group,
                                                                       CmpSpace space,
                                                                       std::vector<PartitionError>& errors) {
  std::map<ir::Action, Region, ActionOrder> by_action;
  for (const ir::SyscallRule& r : group) {
    Region& region = by_action[r.action];
    for (const ir::Clause& clause : r.when) {
      unsigned bad_width = 0;
      auto box = box_of(clause, space, &bad_width);
      if (!box) {
        errors.push_back({PartitionError::Kind::TooWide, &r, 0, bad_width});
        return std::nullopt;
      }
      if (!box->empty()) region.push_back(std::move(*box));
    }
  }
  std::vector<std::pair<ir::Action, Region>> out;
  Region covered;
  for (auto& [action, region] : by_action) {
    Region mine = subtract(region, covered, space);
    covered.insert(covered.end(), region.begin(), region.end());
    if (!mine.empty()) out.emplace_back(action, std::move(mine));
  }
  return out;
}

// Spells each winning region as rules, except the default's (nothing else matches there), or
// reports that the syscall needs too many.
void emit_rules(const ir::SyscallRule& first, const std::vector<std::pair<ir::Action, Region>>& wins,
                const ir::Action& default_action, CmpSpace space, Spelling spelling, ArchPartition& out) {
  uint64_t needed = 0;
  std::vector<LoweredRule> lowered;
  bool several = false;
  for (const auto& [action, region] : wins)
    if (!(action == default_action))
      for (const Box& b : region) several = several || std::popcount(signature(b)) > 1;
  bool reshape = several;
  if (reshape && spelling == Spelling::Compact) {
    // Keep the masked spelling wherever it costs no more rules: only the syscalls that the
    // reshaping multiplies take the compact one.
    auto add = [](uint64_t total, uint64_t more) {
      return std::min(kMaxRulesPerSyscall + 1, total + std::min(kMaxRulesPerSyscall + 1, more));
    };
    uint64_t masked = 0, compact = 0;
    for (const auto& [action, region] : wins)
      if (!(action == default_action))
        for (const Box& b : region) {
          masked = add(masked, rule_count(libseccomp_safe(b, space)));
          compact = add(compact, rule_count(b));
        }
    reshape = masked <= compact;
  }
  for (const auto& [action, wins_region] : wins) {
    if (action == default_action) continue;
    Region region;
    for (const Box& b : wins_region) region.push_back(reshape ? libseccomp_safe(b, space) : b);
    for (const Box& b : region)
      needed = std::min(kMaxRulesPerSyscall + 1, needed + std::min(kMaxRulesPerSyscall + 1, rule_count(b)));
    if (needed > kMaxRulesPerSyscall) {
      out.errors.push_back({PartitionError::Kind::TooManyRules, &first, needed, space.bits});
      return;
    }
    spell_rules(first, action, region, lowered);
  }
  // Overlapping boxes of one action can spell the same rule twice (two modules allowing
  // ioctl(TCGETS)); libseccomp would merge them, but the OCI profile would list them twice.
  const size_t start = out.rules.size();
  for (LoweredRule& r : lowered) {
    const bool seen = std::any_of(out.rules.begin() + static_cast<std::ptrdiff_t>(start), out.rules.end(),
                                  [&](const LoweredRule& u) { return u.action == r.action && u.cmps == r.cmps; });
    if (!seen) out.rules.push_back(std::move(r));
  }
}

}  // namespace

CmpSpace compare_space(arch::Arch a) {
  // libseccomp treats x32 as a 32-bit arch and compares only the low word of its 64-bit registers.
  return CmpSpace{a == arch::Arch::x86 || a == arch::Arch::arm || a == arch::Arch::x32 ? 32u : 64u};
}

ArchPartition partition(const ir::ArchFilter& filter, const ir::Action& default_action, Spelling spelling) {
  ArchPartition out;
  out.arch = filter.arch;
  const CmpSpace space = compare_space(filter.arch);
  const auto& rules = filter.rules;
  for (size_t begin = 0; begin < rules.size();) {
    size_t end = begin;
    while (end < rules.size() && rules[end].nr == rules[begin].nr) ++end;

    bool ok = true;
    if (multiplexed(filter.arch, rules[begin].syscall))
      for (size_t i = begin; i < end && ok; ++i)
        if (!(rules[i].when.size() == 1 && rules[i].when[0].empty())) {
          out.errors.push_back({PartitionError::Kind::Multiplexed, &rules[i], 0, 0});
          ok = false;
        }
    std::vector<std::pair<ir::Action, Region>> wins;
    if (ok) {
      const std::span<const ir::SyscallRule> group(rules.data() + begin, end - begin);
      if (auto simple = single_argument_wins(group, space)) {
        wins = std::move(*simple);
      } else if (auto general = general_wins(group, space, out.errors)) {
        wins = std::move(*general);
      } else {
        ok = false;
      }
    }
    if (ok) emit_rules(rules[begin], wins, default_action, space, spelling, out);
    begin = end;
  }
  return out;
}

}  // namespace polc::backends::seccomp
