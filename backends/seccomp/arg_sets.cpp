// Stage: backends/seccomp. Exact set algebra over argument values (see arg_sets.h). Two shapes
// meet here: intervals (==, <, <=, >, >=, and != as an interval's complement) and cubes (masked
// equality: some bits fixed, the rest free). Mixed operations go through cubes, which can express
// any set exactly; intervals are kept where possible because they need fewer rules.
#include "backends/seccomp/arg_sets.h"

#include <algorithm>

#include "compiler/arch/arch.h"

namespace polc::backends::seccomp {

namespace {

bool is_interval(AtomOp op) {
  return op == AtomOp::Eq || op == AtomOp::Lt || op == AtomOp::Le || op == AtomOp::Gt || op == AtomOp::Ge;
}

struct Interval {
  uint64_t lo = 0, hi = 0;
  bool empty = false;
};

Interval interval_of(const Atom& a, CmpSpace s) {
  switch (a.op) {
    case AtomOp::Eq: return {a.value, a.value};
    case AtomOp::Lt: return a.value == 0 ? Interval{0, 0, true} : Interval{0, a.value - 1};
    case AtomOp::Le: return {0, a.value};
    case AtomOp::Gt: return a.value >= s.full() ? Interval{0, 0, true} : Interval{a.value + 1, s.full()};
    case AtomOp::Ge: return {a.value, s.full()};
    default: return {0, 0, true};
  }
}

ArgSet single(Atom a) { return {false, {a}, std::nullopt, std::nullopt}; }

// A cube: the values whose `mask` bits equal `value`. mask 0 is every value.
ArgSet cube(uint64_t mask, uint64_t value, CmpSpace s) {
  mask &= s.full();
  value &= mask;
  if (mask == 0) return ArgSet::everything();
  if (mask == s.full()) return single({AtomOp::Eq, 0, value});
  return single({AtomOp::MaskedEq, mask, value});
}

void append(ArgSet& into, const ArgSet& more) {
  if (into.any) return;
  if (more.any) {
    into = ArgSet::everything();
    return;
  }
  into.atoms.insert(into.atoms.end(), more.atoms.begin(), more.atoms.end());
}

// [lo, hi] restricted to the low bits selected by `width_mask` (a run of low ones), as cubes that
// each fix a prefix: at most two per bit.
ArgSet prefix_cubes(uint64_t lo, uint64_t hi, uint64_t width_mask, CmpSpace s) {
  ArgSet out = ArgSet::nothing();
  while (lo <= hi) {
    unsigned k = 0;
    // Grow the aligned block at `lo` while it stays inside [lo, hi] and inside the width. Blocks
    // stop at 2^63 (so shifts stay defined); [0, 2^64) is `everything` and never gets here.
    while (k < 63) {
      const uint64_t size = uint64_t{1} << (k + 1);
      if ((lo & (size - 1)) != 0) break;
      if (size - 1 > width_mask) break;
      if (hi - lo < size - 1) break;
      ++k;
    }
    const uint64_t block_mask = ~((uint64_t{1} << k) - 1);
    append(out, cube(block_mask & width_mask, lo, s));
    const uint64_t last = lo + ((uint64_t{1} << k) - 1);
    if (last >= hi) break;
    lo = last + 1;
  }
  return out;
}

ArgSet interval_set(uint64_t lo, uint64_t hi, CmpSpace s) {
  if (lo > hi) return ArgSet::nothing();
  if (lo == 0 && hi == s.full()) return ArgSet::everything();
  if (lo == hi) return single({AtomOp::Eq, 0, lo});
  if (lo == 0) return single({AtomOp::Le, 0, hi});
  if (hi == s.full()) return single({AtomOp::Ge, 0, lo});
  return prefix_cubes(lo, hi, s.full(), s);
}

// Exact cube cover of any atom (the cubes may overlap).
std::vector<std::pair<uint64_t, uint64_t>> cubes_of(const Atom& a, CmpSpace s) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  if (a.op == AtomOp::MaskedEq) {
    out.emplace_back(a.mask, a.value);
  } else if (a.op == AtomOp::Ne) {
    // x != v: some bit differs from v.
    for (unsigned b = 0; b < s.bits; ++b) {
      const uint64_t bit = uint64_t{1} << b;
      out.emplace_back(bit, ~a.value & bit);
    }
  } else {
    const Interval iv = interval_of(a, s);
    if (iv.empty) return out;
    ArgSet set = prefix_cubes(iv.lo, iv.hi, s.full(), s);
    if (set.any) {
      out.emplace_back(0, 0);
      return out;
    }
    for (const Atom& c : set.atoms) out.emplace_back(c.op == AtomOp::Eq ? s.full() : c.mask, c.value);
  }
  return out;
}

ArgSet complement(const Atom& a, CmpSpace s) {
  switch (a.op) {
    case AtomOp::Eq: return single({AtomOp::Ne, 0, a.value});
    case AtomOp::Ne: return single({AtomOp::Eq, 0, a.value});
    case AtomOp::Lt: return interval_set(a.value, s.full(), s);
    case AtomOp::Le: return a.value >= s.full() ? ArgSet::nothing() : interval_set(a.value + 1, s.full(), s);
    case AtomOp::Gt: return interval_set(0, a.value, s);
    case AtomOp::Ge: return a.value == 0 ? ArgSet::nothing() : interval_set(0, a.value - 1, s);
    case AtomOp::MaskedEq: {
      if (a.mask == s.full()) return single({AtomOp::Ne, 0, a.value});
      // Disjoint cubes: the first differing mask bit, in order of the mask's bits.
      ArgSet out = ArgSet::nothing();
      uint64_t fixed = 0;
      for (unsigned b = 0; b < s.bits; ++b) {
        const uint64_t bit = uint64_t{1} << b;
        if (!(a.mask & bit)) continue;
        append(out, cube(fixed | bit, (a.value & fixed) | (~a.value & bit), s));
        fixed |= bit;
      }
      return out;
    }
  }
  return ArgSet::nothing();
}

ArgSet intersect_atoms(const Atom& a, const Atom& b, CmpSpace s) {
  if (is_interval(a.op) && is_interval(b.op)) {
    const Interval x = interval_of(a, s), y = interval_of(b, s);
    if (x.empty || y.empty) return ArgSet::nothing();
    return interval_set(std::max(x.lo, y.lo), std::min(x.hi, y.hi), s);
  }
  if (a.op == AtomOp::Ne && b.op == AtomOp::Ne) {
    if (a.value == b.value) return single(a);
    // Everything but two points: two intervals at the ends and one between.
    const uint64_t lo = std::min(a.value, b.value), hi = std::max(a.value, b.value);
    ArgSet out = lo > 0 ? interval_set(0, lo - 1, s) : ArgSet::nothing();
    if (hi - lo > 1) append(out, interval_set(lo + 1, hi - 1, s));
    if (hi < s.full()) append(out, interval_set(hi + 1, s.full(), s));
    return out;
  }
  if ((a.op == AtomOp::Ne && is_interval(b.op)) || (b.op == AtomOp::Ne && is_interval(a.op))) {
    const Atom& ne = a.op == AtomOp::Ne ? a : b;
    const Interval iv = interval_of(a.op == AtomOp::Ne ? b : a, s);
    if (iv.empty) return ArgSet::nothing();
    if (ne.value < iv.lo || ne.value > iv.hi) return interval_set(iv.lo, iv.hi, s);
    ArgSet out = ne.value > iv.lo ? interval_set(iv.lo, ne.value - 1, s) : ArgSet::nothing();
    if (ne.value < iv.hi) append(out, interval_set(ne.value + 1, iv.hi, s));
    return out;
  }
  ArgSet out = ArgSet::nothing();
  for (const auto& [ma, va] : cubes_of(a, s))
    for (const auto& [mb, vb] : cubes_of(b, s)) {
      const uint64_t common = ma & mb;
      if ((va & common) != (vb & common)) continue;
      append(out, cube(ma | mb, va | vb, s));
    }
  return out;
}

// a ⊆ b, decided cheaply; false when unsure (callers then compute exactly).
bool subset(const Atom& a, const Atom& b, CmpSpace s) {
  if (a.op == AtomOp::Eq) return contains(b, a.value);
  if (b.op == AtomOp::Ne) {
    if (a.op == AtomOp::Ne) return a.value == b.value;
    return !contains(a, b.value);
  }
  if (is_interval(a.op) && is_interval(b.op)) {
    const Interval x = interval_of(a, s), y = interval_of(b, s);
    return x.empty || (!y.empty && y.lo <= x.lo && x.hi <= y.hi);
  }
  if (a.op == AtomOp::MaskedEq && (b.op == AtomOp::MaskedEq || b.op == AtomOp::Eq)) {
    const uint64_t bm = b.op == AtomOp::Eq ? s.full() : b.mask;
    return (bm & ~a.mask) == 0 && (a.value & bm) == b.value;
  }
  return false;
}

// Sorted, without duplicates and without atoms inside another atom of the set.
void simplify(ArgSet& set, CmpSpace s) {
  if (set.any) return;
  auto& v = set.atoms;
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  if (v.size() > 512) return;  // quadratic pass skipped on huge sets; they stay exact, only longer
  std::vector<Atom> kept;
  for (size_t i = 0; i < v.size(); ++i) {
    bool inside = false;
    for (size_t j = 0; j < v.size() && !inside; ++j)
      if (i != j && subset(v[i], v[j], s) && !(subset(v[j], v[i], s) && j > i)) inside = true;
    if (!inside) kept.push_back(v[i]);
  }
  v = std::move(kept);
}

ArgSet subtract_atom(const ArgSet& from, const Atom& t, CmpSpace s) {
  if (from.any) {
    ArgSet c = complement(t, s);
    simplify(c, s);
    return c;
  }
  ArgSet out = ArgSet::nothing();
  for (const Atom& p : from.atoms) {
    if (subset(p, t, s)) continue;
    if (intersect_atoms(p, t, s).empty()) {
      out.atoms.push_back(p);
      continue;
    }
    append(out, intersect(single(p), complement(t, s), s));
  }
  simplify(out, s);
  return out;
}

}  // namespace

bool contains(const Atom& a, uint64_t x) {
  switch (a.op) {
    case AtomOp::Eq: return x == a.value;
    case AtomOp::Ne: return x != a.value;
    case AtomOp::Lt: return x < a.value;
    case AtomOp::Le: return x <= a.value;
    case AtomOp::Gt: return x > a.value;
    case AtomOp::Ge: return x >= a.value;
    case AtomOp::MaskedEq: return (x & a.mask) == a.value;
  }
  return false;
}

bool contains(const ArgSet& s, uint64_t x) {
  if (s.any) return true;
  return std::any_of(s.atoms.begin(), s.atoms.end(), [&](const Atom& a) { return contains(a, x); });
}

namespace {

// The set of `width`-bit values in `set`, spelled: a single `!=` where the complement is one point
// of the full width, the fewest plain comparisons or cubes otherwise.
ArgSet spell_intervals(unsigned width, Intervals set, CmpSpace s) {
  ArgSet out;
  const uint64_t w = arch::width_mask(width);
  const Intervals missing = subtract(Intervals{{0, w}}, set);
  if (missing.empty()) {
    out = ArgSet::everything();
  } else if (width == s.bits && missing.size() == 1 && missing[0].first == missing[0].second) {
    out = single({AtomOp::Ne, 0, missing[0].first});
    out.complement_of = Atom{AtomOp::Eq, 0, missing[0].first};
  } else {
    out = from_low_intervals(set, width, s);
    out.any = false;  // an empty set stays empty; `everything` was handled above
  }
  out.intervals = LowIntervals{width, std::move(set)};
  return out;
}

}  // namespace

ArgSet intersect(const ArgSet& a, const ArgSet& b, CmpSpace s) {
  if (a.any) return b;
  if (b.any) return a;
  if (a.intervals && b.intervals && a.intervals->width == b.intervals->width)
    return spell_intervals(a.intervals->width, intersect(a.intervals->set, b.intervals->set), s);
  ArgSet out = ArgSet::nothing();
  for (const Atom& x : a.atoms)
    for (const Atom& y : b.atoms) append(out, intersect_atoms(x, y, s));
  simplify(out, s);
  return out;
}

ArgSet subtract(const ArgSet& a, const ArgSet& b, CmpSpace s) {
  if (b.any) return ArgSet::nothing();
  if (b.intervals && (a.any || (a.intervals && a.intervals->width == b.intervals->width))) {
    const unsigned width = b.intervals->width;
    const Intervals from = a.any ? Intervals{{0, arch::width_mask(width)}} : a.intervals->set;
    return spell_intervals(width, subtract(from, b.intervals->set), s);
  }
  if (b.complement_of) return intersect(a, single(*b.complement_of), s);
  ArgSet out = a;
  for (const Atom& t : b.atoms) {
    out = subtract_atom(out, t, s);
    if (out.empty()) break;
  }
  return out;
}

std::optional<ArgSet> from_comparison(const ir::ArgCmp& cmp_in, CmpSpace s) {
  ir::ArgCmp cmp = cmp_in;
  if (cmp.width > s.bits) {
    // A masked test that reads only the compared low bits means the same at that width
    // (`flags & CLONE_NEWUSER != 0` on x32's 64-bit `unsigned long`); anything else does not.
    const bool masked = cmp.op == ir::CmpOp::MaskedEq || cmp.op == ir::CmpOp::MaskedNe;
    if (!masked || (cmp.mask & ~s.full()) != 0 || (cmp.value & ~s.full()) != 0) return std::nullopt;
    cmp.width = static_cast<uint8_t>(s.bits);
  }
  const uint64_t w = arch::width_mask(cmp.width);
  const uint64_t v = cmp.value & w;
  // Constants outside the width (sema never produces them) decide the comparison alone.
  const bool outside = (cmp.value & ~w) != 0 ||
                       ((cmp.op == ir::CmpOp::MaskedEq || cmp.op == ir::CmpOp::MaskedNe) && (v & ~cmp.mask) != 0);
  if (outside) {
    const bool holds =
        cmp.op == ir::CmpOp::Ne || cmp.op == ir::CmpOp::MaskedNe || cmp.op == ir::CmpOp::Lt || cmp.op == ir::CmpOp::Le;
    return holds ? ArgSet::everything() : ArgSet::nothing();
  }
  if (is_plain(cmp.op)) return spell_intervals(cmp.width, intervals_of(cmp), s);
  // Masked tests: a cube, or the complement of one.
  ArgSet c = cube(cmp.mask & w, v & cmp.mask, s);
  if (cmp.op == ir::CmpOp::MaskedEq) return c;
  if (c.any) return ArgSet::nothing();
  ArgSet out = complement(c.atoms[0], s);
  simplify(out, s);
  out.complement_of = c.atoms[0];
  return out;
}

ArgSet from_low_intervals(const std::vector<std::pair<uint64_t, uint64_t>>& intervals, unsigned width, CmpSpace s) {
  const uint64_t w = arch::width_mask(width);
  ArgSet out = ArgSet::nothing();
  for (const auto& [lo, hi] : intervals) {
    if (lo == 0 && hi == w) return ArgSet::everything();
    append(out, w == s.full() ? interval_set(lo, hi, s) : prefix_cubes(lo, hi, w, s));
  }
  simplify(out, s);
  return out;
}

ArgSet as_masked(const ArgSet& set, CmpSpace s) {
  if (set.any) return set;
  ArgSet out = ArgSet::nothing();
  for (const Atom& a : set.atoms) {
    if (a.op == AtomOp::Eq || a.op == AtomOp::MaskedEq) {
      out.atoms.push_back(a);
    } else if (a.op == AtomOp::Ne) {
      if (a.value > 0) append(out, prefix_cubes(0, a.value - 1, s.full(), s));
      if (a.value < s.full()) append(out, prefix_cubes(a.value + 1, s.full(), s.full(), s));
    } else {
      const Interval iv = interval_of(a, s);
      if (!iv.empty) append(out, prefix_cubes(iv.lo, iv.hi, s.full(), s));
    }
  }
  simplify(out, s);
  return out;
}

bool Box::empty() const {
  return std::any_of(args.begin(), args.end(), [](const ArgSet& a) { return a.empty(); });
}

bool Box::unconditional() const {
  return std::all_of(args.begin(), args.end(), [](const ArgSet& a) { return a.any; });
}

Region subtract(const Box& a, const Box& b, CmpSpace s) {
  // Disjoint pieces: a ∩ b on the arguments before k, a \ b on argument k, a after k.
  for (size_t k = 0; k < 6; ++k)
    if (intersect(a.args[k], b.args[k], s).empty()) return {a};
  Region out;
  Box prefix = a;
  for (size_t k = 0; k < 6; ++k) {
    if (b.args[k].any) continue;
    Box piece = prefix;
    piece.args[k] = subtract(a.args[k], b.args[k], s);
    if (!piece.empty()) out.push_back(std::move(piece));
    prefix.args[k] = intersect(prefix.args[k], b.args[k], s);
    if (prefix.args[k].empty()) break;
  }
  return out;
}

namespace {

// True when the boxes share no call, seen without building any set: some argument whose two sets
// are interval sets at one width that do not meet. False when unsure.
bool surely_disjoint(const Box& a, const Box& b) {
  for (size_t k = 0; k < 6; ++k) {
    const auto& x = a.args[k].intervals;
    const auto& y = b.args[k].intervals;
    if (a.args[k].any || b.args[k].any || !x || !y || x->width != y->width) continue;
    size_t i = 0, j = 0;
    bool meet = false;
    while (i < x->set.size() && j < y->set.size() && !meet) {
      meet = std::max(x->set[i].first, y->set[j].first) <= std::min(x->set[i].second, y->set[j].second);
      if (x->set[i].second < y->set[j].second) ++i;
      else ++j;
    }
    if (!meet) return true;
  }
  return false;
}

}  // namespace

Region subtract(const Region& a, const Region& b, CmpSpace s) {
  // Box by box, each cut in turn: the same pieces in the same order as cutting the whole region
  // by each box of `b`, but a cut that misses a box (the usual case among many rules on distinct
  // values) costs neither a copy of the box nor a set operation. Pieces lie inside their box, so
  // a cut that misses the box misses them too.
  Region out;
  for (const Box& box : a) {
    Region pieces = {box};
    for (const Box& cut : b) {
      if (surely_disjoint(box, cut)) continue;
      Region next;
      for (const Box& p : pieces) {
        Region cut_pieces = subtract(p, cut, s);
        next.insert(next.end(), std::make_move_iterator(cut_pieces.begin()), std::make_move_iterator(cut_pieces.end()));
      }
      pieces = std::move(next);
      if (pieces.empty()) break;
    }
    out.insert(out.end(), std::make_move_iterator(pieces.begin()), std::make_move_iterator(pieces.end()));
  }
  return out;
}

uint64_t rule_count(const Box& box) {
  uint64_t n = 1;
  for (const ArgSet& a : box.args) {
    if (a.any) continue;
    const uint64_t k = a.atoms.size();
    if (k == 0) return 0;
    if (n > UINT64_MAX / k) return UINT64_MAX;
    n *= k;
  }
  return n;
}

}  // namespace polc::backends::seccomp
