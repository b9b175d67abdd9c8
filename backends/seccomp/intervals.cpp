// Stage: backends/seccomp. Interval sets of argument values (see intervals.h).
#include "backends/seccomp/intervals.h"

#include <algorithm>

#include "compiler/arch/arch.h"

namespace polc::backends::seccomp {

Intervals intervals_of(const ir::ArgCmp& c) {
  const uint64_t w = arch::width_mask(c.width);
  const uint64_t v = c.value;
  switch (c.op) {
    case ir::CmpOp::Eq: return v > w ? Intervals{} : Intervals{{v, v}};
    case ir::CmpOp::Ne: {
      Intervals out;
      if (v > 0) out.emplace_back(0, std::min(v - 1, w));
      if (v < w) out.emplace_back(v + 1, w);
      return out;
    }
    case ir::CmpOp::Lt: return v == 0 ? Intervals{} : Intervals{{0, std::min(v - 1, w)}};
    case ir::CmpOp::Le: return {{0, std::min(v, w)}};
    case ir::CmpOp::Gt: return v >= w ? Intervals{} : Intervals{{v + 1, w}};
    case ir::CmpOp::Ge: return v > w ? Intervals{} : Intervals{{v, w}};
    default: return {};  // masked tests are not intervals; callers check is_plain first
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

Intervals unite(Intervals a, const Intervals& b) {
  a.insert(a.end(), b.begin(), b.end());
  std::sort(a.begin(), a.end());
  Intervals out;
  for (const auto& [lo, hi] : a) {
    // Merge overlapping and adjacent intervals (hi + 1 == lo), minding the top of the range.
    if (!out.empty() && (lo <= out.back().second || lo - 1 == out.back().second)) {
      out.back().second = std::max(out.back().second, hi);
    } else {
      out.emplace_back(lo, hi);
    }
  }
  return out;
}

Intervals subtract(const Intervals& a, const Intervals& b) {
  Intervals out;
  for (auto [lo, hi] : a) {
    bool gone = false;
    for (const auto& [blo, bhi] : b) {
      if (bhi < lo || blo > hi) continue;
      if (blo > lo) out.emplace_back(lo, blo - 1);
      if (bhi >= hi) {
        gone = true;
        break;
      }
      lo = bhi + 1;
    }
    if (!gone) out.emplace_back(lo, hi);
  }
  return out;
}

}  // namespace polc::backends::seccomp
