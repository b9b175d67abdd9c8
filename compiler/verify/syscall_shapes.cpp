// Stage: verify. Solver-free facts about syscall rule conditions (see syscall_shapes.h).
#include "compiler/verify/syscall_shapes.h"

#include <algorithm>
#include <map>

#include "compiler/arch/arch.h"

namespace polc::verify {

namespace {

// The values of a plain comparison at its width, read exactly as syscall_model's `holds` reads it:
// the register and the constant both truncated to the width. nullopt for any other operator.
std::optional<ValueRanges> values_of(const ir::ArgCmp& c) {
  const uint64_t w = arch::width_mask(c.width);
  const uint64_t v = c.value & w;
  switch (c.op) {
    case ir::CmpOp::Eq: return ValueRanges{{v, v}};
    case ir::CmpOp::Ne: {
      ValueRanges out;
      if (v > 0) out.emplace_back(0, v - 1);
      if (v < w) out.emplace_back(v + 1, w);
      return out;
    }
    case ir::CmpOp::Lt: return v == 0 ? ValueRanges{} : ValueRanges{{0, v - 1}};
    case ir::CmpOp::Le: return ValueRanges{{0, v}};
    case ir::CmpOp::Gt: return v == w ? ValueRanges{} : ValueRanges{{v + 1, w}};
    case ir::CmpOp::Ge: return ValueRanges{{v, w}};
    case ir::CmpOp::MaskedEq:
    case ir::CmpOp::MaskedNe: return std::nullopt;
  }
  return std::nullopt;  // an operator added later: left to the solver
}

ValueRanges meet(const ValueRanges& a, const ValueRanges& b) {
  ValueRanges out;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const uint64_t lo = std::max(a[i].first, b[j].first), hi = std::min(a[i].second, b[j].second);
    if (lo <= hi) out.emplace_back(lo, hi);
    if (a[i].second < b[j].second) ++i;
    else ++j;
  }
  return out;
}

ValueRanges join(ValueRanges a, const ValueRanges& b) {
  a.insert(a.end(), b.begin(), b.end());
  std::sort(a.begin(), a.end());
  ValueRanges out;
  for (const auto& [lo, hi] : a) {
    if (!out.empty() && (lo <= out.back().second || lo - 1 == out.back().second))
      out.back().second = std::max(out.back().second, hi);
    else out.emplace_back(lo, hi);
  }
  return out;
}

bool meets(const ValueRanges& a, const ValueRanges& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::max(a[i].first, b[j].first) <= std::min(a[i].second, b[j].second)) return true;
    if (a[i].second < b[j].second) ++i;
    else ++j;
  }
  return false;
}

// One clause's facts: per argument, its set (known), free (no comparison), or unknown.
struct ClauseShape {
  enum class State : uint8_t { Free, Known, Unknown };
  std::array<State, 6> state{};
  std::array<ArgValues, 6> values{};
  bool empty = false;  // some argument has no value: the clause matches no call
};

ClauseShape clause_shape(const ir::Clause& clause) {
  ClauseShape out;
  for (const ir::ArgCmp& c : clause) {
    if (c.arg >= 6) {  // `holds` reads a comparison of no register as false
      out.empty = true;
      continue;
    }
    auto& state = out.state[c.arg];
    auto& values = out.values[c.arg];
    if (state == ClauseShape::State::Unknown) continue;
    const auto set = c.width == 0 ? std::nullopt : values_of(c);
    if (!set || (state == ClauseShape::State::Known && values.width != c.width)) {
      state = ClauseShape::State::Unknown;
      continue;
    }
    if (state == ClauseShape::State::Free) {
      state = ClauseShape::State::Known;
      values = {c.width, *set};
    } else {
      values.set = meet(values.set, *set);
    }
  }
  for (unsigned a = 0; a < 6; ++a)
    if (out.state[a] == ClauseShape::State::Known && out.values[a].set.empty()) out.empty = true;
  return out;
}

}  // namespace

RuleShape shape_of(const std::vector<ir::Clause>& when) {
  RuleShape out;
  std::vector<ClauseShape> live;
  bool all_empty = true;
  for (const ir::Clause& clause : when) {
    ClauseShape c = clause_shape(clause);
    if (c.empty) continue;
    all_empty = false;
    if (std::none_of(c.state.begin(), c.state.end(), [](auto s) { return s == ClauseShape::State::Unknown; }))
      out.satisfiable = true;
    live.push_back(std::move(c));
  }
  out.empty = all_empty;  // no clause at all, or every clause proved empty
  if (live.empty()) return out;
  for (unsigned a = 0; a < 6; ++a) {
    std::optional<ArgValues> v;
    bool known = true;
    for (const ClauseShape& c : live) {
      if (c.state[a] != ClauseShape::State::Known || (v && v->width != c.values[a].width)) {
        known = false;
        break;
      }
      if (!v) v = c.values[a];
      else v->set = join(std::move(v->set), c.values[a].set);
    }
    if (known) out.args[a] = std::move(v);
  }
  return out;
}

bool disjoint(const RuleShape& a, const RuleShape& b) {
  if (a.empty || b.empty) return true;
  for (unsigned i = 0; i < 6; ++i)
    if (a.args[i] && b.args[i] && a.args[i]->width == b.args[i]->width && !meets(a.args[i]->set, b.args[i]->set))
      return true;
  return false;
}

OverlapIndex::OverlapIndex(std::span<const RuleShape> shapes) : shapes_(shapes) {
  // The key: the (argument, width) the most rules have a set on.
  std::map<std::pair<int, uint8_t>, size_t> counts;
  for (const RuleShape& s : shapes)
    for (int a = 0; a < 6; ++a)
      if (s.args[a]) ++counts[{a, s.args[a]->width}];
  size_t best = 0;
  for (const auto& [key, n] : counts)
    if (n > best) {
      best = n;
      key_arg_ = key.first;
      key_width_ = key.second;
    }
  std::vector<std::pair<std::pair<uint64_t, uint64_t>, size_t>> hulls;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const auto& v = key_arg_ >= 0 ? shapes[i].args[key_arg_] : std::nullopt;
    if (v && v->width == key_width_ && !v->set.empty())
      hulls.push_back({{v->set.front().first, v->set.back().second}, i});
    else unindexed_.push_back(i);
  }
  std::sort(hulls.begin(), hulls.end());
  for (const auto& [h, i] : hulls) {
    hull_.push_back(h);
    hull_rule_.push_back(i);
  }
  max_hi_.assign(4 * std::max<size_t>(hull_.size(), 1), 0);
  auto build = [&](auto&& self, size_t node, size_t lo, size_t hi) -> uint64_t {
    if (hi - lo == 1) return max_hi_[node] = hull_[lo].second;
    const size_t mid = lo + (hi - lo) / 2;
    return max_hi_[node] = std::max(self(self, 2 * node, lo, mid), self(self, 2 * node + 1, mid, hi));
  };
  if (!hull_.empty()) build(build, 1, 0, hull_.size());
}

// Reports the entries of [lo, hi) ∩ [0, end) whose hull reaches `from` or beyond.
void OverlapIndex::stab(size_t node, size_t lo, size_t hi, size_t end, uint64_t from, std::vector<size_t>& out) const {
  if (lo >= end || max_hi_[node] < from) return;
  if (hi - lo == 1) {
    out.push_back(hull_rule_[lo]);
    return;
  }
  const size_t mid = lo + (hi - lo) / 2;
  stab(2 * node, lo, mid, end, from, out);
  stab(2 * node + 1, mid, hi, end, from, out);
}

std::vector<size_t> OverlapIndex::candidates(size_t i) const {
  std::vector<size_t> found = unindexed_;
  const auto& v = key_arg_ >= 0 ? shapes_[i].args[key_arg_] : std::nullopt;
  if (v && v->width == key_width_ && !v->set.empty()) {
    // Indexed rules whose hull meets rule i's: starting at or before its end, ending at or after
    // its start.
    const uint64_t lo = v->set.front().first, hi = v->set.back().second;
    const size_t end = static_cast<size_t>(
        std::upper_bound(hull_.begin(), hull_.end(), hi, [](uint64_t x, const auto& h) { return x < h.first; }) -
        hull_.begin());
    if (!hull_.empty()) stab(1, 0, hull_.size(), end, lo, found);
  } else {
    found.insert(found.end(), hull_rule_.begin(), hull_rule_.end());
  }
  std::vector<size_t> out;
  for (size_t j : found)
    if (j != i && !disjoint(shapes_[i], shapes_[j])) out.push_back(j);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace polc::verify
