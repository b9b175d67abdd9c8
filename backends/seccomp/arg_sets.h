// Stage: backends/seccomp. Exact set algebra over syscall argument values, in the only shapes
// libseccomp can test: one comparison per argument per rule. A condition of the IR becomes a union
// of "boxes" (one set per argument); each set is a union of atoms, and every atom is a single
// libseccomp comparison. Intersections and differences stay exact (never an approximation), so
// the partition into regions of one action each loses nothing; only their size can be a limit.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "backends/seccomp/intervals.h"
#include "compiler/arch/arch.h"
#include "compiler/ir/vocab.h"

namespace polc::backends::seccomp {

// libseccomp's comparison operators (SCMP_CMP_*), on the compared part of the register.
enum class AtomOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, MaskedEq };

// One comparison: `x op value`, or `(x & mask) == value` for MaskedEq (value ⊆ mask). `x` is the
// register truncated to the filter's comparison width (see CmpSpace).
struct Atom {
  AtomOp op = AtomOp::Eq;
  uint64_t mask = 0;
  uint64_t value = 0;
  friend auto operator<=>(const Atom&, const Atom&) = default;
};

// How many low bits of a register the generated code compares: 64 on 64-bit arches; 32 where
// libseccomp compares only the low word (x86, arm and x32).
struct CmpSpace {
  unsigned bits = 64;
  uint64_t full() const { return arch::width_mask(bits); }
};

// A set defined by plain comparisons only: {x : (x & (2^width - 1)) ∈ set}.
struct LowIntervals {
  unsigned width = 64;
  Intervals set;
  friend bool operator==(const LowIntervals&, const LowIntervals&) = default;
};

// A set of values of one argument: every value (`any`), or the union of `atoms` (none: empty).
struct ArgSet {
  bool any = true;
  std::vector<Atom> atoms;
  // Set when the set came from plain comparisons only: the same set as intervals, on which
  // intersections and differences stay compact (`x != 67 && x != 155` is two intervals and a
  // point, where intersecting the atoms would multiply cubes). `atoms` always holds its spelling.
  std::optional<LowIntervals> intervals;
  // Set when the whole set is known to be the complement of this one atom (`!=` and masked `!=`):
  // subtracting it is then an intersection, which keeps "clone, except with namespace flags" one
  // rule instead of a union of pieces.
  std::optional<Atom> complement_of;

  static ArgSet everything() { return {}; }
  static ArgSet nothing() { return {false, {}, std::nullopt, std::nullopt}; }
  bool empty() const { return !any && atoms.empty(); }
  friend bool operator==(const ArgSet&, const ArgSet&) = default;
};

bool contains(const Atom& a, uint64_t x);
bool contains(const ArgSet& s, uint64_t x);

ArgSet intersect(const ArgSet& a, const ArgSet& b, CmpSpace space);
ArgSet subtract(const ArgSet& a, const ArgSet& b, CmpSpace space);

// The set of register values (truncated to `space`) for which an IR comparison holds. nullopt when
// the comparison reads more bits than the space compares (a 64-bit test on x32): not expressible.
std::optional<ArgSet> from_comparison(const ir::ArgCmp& cmp, CmpSpace space);

// The values whose low `width` bits lie in one of `intervals` (sorted, disjoint, within the
// width), as cubes: cheaper than intersecting several `!=` at a width below the compared one.
ArgSet from_low_intervals(const std::vector<std::pair<uint64_t, uint64_t>>& intervals, unsigned width, CmpSpace space);

// The same set with every ordering or `!=` comparison replaced by masked equalities (exact).
// libseccomp 2.5.4 loops forever adding rules of one syscall that share an ordering or `!=`
// comparison of one argument and continue with different arguments; masked equalities there
// do not trigger it.
ArgSet as_masked(const ArgSet& set, CmpSpace space);

// A product of argument sets: the calls whose every argument lies in its set.
struct Box {
  std::array<ArgSet, 6> args;
  bool empty() const;
  bool unconditional() const;
};
using Region = std::vector<Box>;  // a union of boxes (they may overlap)

// `a` minus `b`, as boxes that do not overlap `b`.
Region subtract(const Box& a, const Box& b, CmpSpace space);
Region subtract(const Region& a, const Region& b, CmpSpace space);

// How many single-comparison rules a box needs (the product of its atom counts), saturating.
uint64_t rule_count(const Box& box);

}  // namespace polc::backends::seccomp
