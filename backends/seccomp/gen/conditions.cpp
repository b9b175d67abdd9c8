// Stage: backends/seccomp (polc's code generator). Argument tests (see conditions.h).
#include "backends/seccomp/gen/conditions.h"

#include <algorithm>
#include <bit>
#include <map>
#include <set>
#include <tuple>

#include "backends/seccomp/bpf_program.h"
#include "backends/seccomp/gen/search_tree.h"
#include "backends/seccomp/intervals.h"

namespace polc::backends::seccomp::gen {

namespace {

constexpr uint64_t kLow = 0xffffffffu;
constexpr double kLikely = 1.0;     // a value the rules allow
constexpr double kUnlikely = 0.1;   // any other

struct Piece {
  uint64_t lo = 0, hi = 0;  // both included
  NodeId node = -1;
  double weight = 0;
};

struct ActionOrder {
  bool operator()(const ir::Action& a, const ir::Action& b) const { return ir::more_restrictive(a, b); }
};

// Labelled intervals (disjoint) completed with `otherwise` up to `max`, adjacent equal pieces merged.
std::vector<Piece> complete(std::vector<Piece> labelled, uint64_t max, NodeId otherwise, double otherwise_weight) {
  std::sort(labelled.begin(), labelled.end(), [](const Piece& a, const Piece& b) { return a.lo < b.lo; });
  std::vector<Piece> out;
  auto add = [&](Piece p) {
    if (!out.empty() && out.back().node == p.node && out.back().hi + 1 == p.lo) {
      out.back().hi = p.hi;
      out.back().weight += p.weight;
    } else {
      out.push_back(p);
    }
  };
  uint64_t next = 0;
  bool done = false;  // `next` passed `max` (no wrap-around at 2^64)
  for (const Piece& p : labelled) {
    if (p.lo > next) add({next, p.lo - 1, otherwise, otherwise_weight});
    add(p);
    if (p.hi >= max) done = true;
    else next = p.hi + 1;
  }
  if (!done) add({next, max, otherwise, otherwise_weight});
  return out;
}

// A search over one argument's values at `width`: the low word alone, or the high word and then,
// for each high word that the pieces do not decide alone, the low word.
NodeId value_search(Graph& g, unsigned arg, unsigned width, const ArgLayout& layout, const std::vector<Piece>& pieces) {
  const uint32_t lo_word = arg_offset(arg, false, layout.big_endian);
  const uint32_t hi_word = arg_offset(arg, true, layout.big_endian);
  auto low_runs = [](const std::vector<Piece>& ps, uint64_t base) {
    std::vector<Run> runs;
    for (const Piece& p : ps)
      runs.push_back({static_cast<uint32_t>(p.lo - base), static_cast<uint32_t>(p.hi - base), p.node, p.weight});
    return runs;
  };
  // A width below 32 (or between 32 and 64) is the kernel reading fewer bits: the search is over
  // the word with the bits above the width cleared.
  const uint64_t w = arch::width_mask(width);
  if (width <= 32) return search(g, lo_word, low_runs(pieces, 0), static_cast<uint32_t>(w));
  // High words where a piece starts or ends inside the block need the low word.
  std::vector<uint64_t> mixed;
  for (const Piece& p : pieces) {
    if ((p.lo & kLow) != 0) mixed.push_back(p.lo >> 32);
    if ((p.hi & kLow) != kLow) mixed.push_back(p.hi >> 32);
  }
  std::sort(mixed.begin(), mixed.end());
  mixed.erase(std::unique(mixed.begin(), mixed.end()), mixed.end());
  std::vector<Run> high;
  for (const Piece& p : pieces) {
    const uint64_t first = (p.lo >> 32) + ((p.lo & kLow) != 0 ? 1 : 0);
    const int64_t last = static_cast<int64_t>(p.hi >> 32) - ((p.hi & kLow) != kLow ? 1 : 0);
    if (static_cast<int64_t>(first) <= last)
      high.push_back({static_cast<uint32_t>(first), static_cast<uint32_t>(last), p.node, p.weight});
  }
  for (uint64_t h : mixed) {
    const uint64_t base = h << 32, top = base | kLow;
    std::vector<Piece> inside;
    auto it = std::lower_bound(pieces.begin(), pieces.end(), base, [](const Piece& p, uint64_t v) { return p.hi < v; });
    double weight = 0;
    for (; it != pieces.end() && it->lo <= top; ++it) {
      inside.push_back({std::max(it->lo, base), std::min(it->hi, top), it->node, it->weight});
      weight += it->weight;
    }
    high.push_back({static_cast<uint32_t>(h), static_cast<uint32_t>(h), search(g, lo_word, low_runs(inside, base)), weight});
  }
  std::sort(high.begin(), high.end(), [](const Run& a, const Run& b) { return a.lo < b.lo; });
  return search(g, hi_word, high, static_cast<uint32_t>(w >> 32));
}

// (word & m) == v, where v has no bit outside m.
NodeId masked32(Graph& g, uint32_t word, uint32_t m, uint32_t v, NodeId on_true, NodeId on_false) {
  if (m == 0) return on_true;  // v == 0
  if (m == kLow) return g.test(word, bpf::kJeq, v, on_true, on_false);
  if (v == 0) return g.test(word, bpf::kJset, m, on_false, on_true);
  if (std::popcount(m) == 1) return g.test(word, bpf::kJset, m, on_true, on_false);  // v == m
  return g.masked_test(word, m, bpf::kJeq, v, on_true, on_false);
}

// One comparison: on_true where it holds, else on_false.
NodeId condition(Graph& g, const ir::ArgCmp& cmp, unsigned width, const ArgLayout& layout, NodeId on_true,
                 NodeId on_false) {
  const uint64_t w = arch::width_mask(width);
  if (is_plain(cmp.op)) {
    const Intervals holds = intervals_of(cmp);
    std::vector<Piece> labelled;
    for (const auto& [lo, hi] : holds) labelled.push_back({lo, hi, on_true, 1.0});
    return value_search(g, cmp.arg, width, layout, complete(std::move(labelled), w, on_false, 1.0));
  }
  const NodeId eq_true = cmp.op == ir::CmpOp::MaskedEq ? on_true : on_false;
  const NodeId eq_false = cmp.op == ir::CmpOp::MaskedEq ? on_false : on_true;
  const uint64_t m = cmp.mask & w;
  const uint64_t v = cmp.value;
  if ((v & ~m) != 0) return eq_false;  // bits the mask (or the width) clears can never match
  const uint32_t lo_word = arg_offset(cmp.arg, false, layout.big_endian);
  if (width <= 32) return masked32(g, lo_word, static_cast<uint32_t>(m), static_cast<uint32_t>(v), eq_true, eq_false);
  const uint32_t hi_word = arg_offset(cmp.arg, true, layout.big_endian);
  const NodeId high = masked32(g, hi_word, static_cast<uint32_t>(m >> 32), static_cast<uint32_t>(v >> 32), eq_true,
                               eq_false);
  return masked32(g, lo_word, static_cast<uint32_t>(m & kLow), static_cast<uint32_t>(v & kLow), high, eq_false);
}

// The single argument and width every comparison of the rules tests with a plain comparison, if
// there is one.
std::optional<std::pair<unsigned, unsigned>> single_argument(std::span<const ir::SyscallRule> rules,
                                                             const ArgLayout& layout) {
  std::optional<std::pair<unsigned, unsigned>> found;
  for (const ir::SyscallRule& r : rules)
    for (const ir::Clause& clause : r.when)
      for (const ir::ArgCmp& c : clause) {
        const auto width = tested_width(c, layout);
        if (!is_plain(c.op) || !width || *width != c.width) return std::nullopt;
        if (found && (found->first != c.arg || found->second != c.width)) return std::nullopt;
        found = {c.arg, c.width};
      }
  return found;
}

NodeId value_set_program(Graph& g, std::span<const ir::SyscallRule> rules, const ir::Action& default_action,
                         const ArgLayout& layout, unsigned arg, unsigned width) {
  const uint64_t w = arch::width_mask(width);
  std::map<ir::Action, Intervals, ActionOrder> by_action;
  for (const ir::SyscallRule& r : rules) {
    Intervals& set = by_action[r.action];
    for (const ir::Clause& clause : r.when) {
      Intervals c = {{0, w}};
      for (const ir::ArgCmp& cmp : clause) c = intersect(c, intervals_of(cmp));
      set = unite(std::move(set), c);
    }
  }
  std::vector<Piece> labelled;
  Intervals covered;
  for (const auto& [action, set] : by_action) {
    const Intervals mine = subtract(set, covered);
    covered = unite(std::move(covered), set);
    const NodeId node = g.ret(ret_value(action));
    const double weight = action.kind == ir::ActionKind::Allow ? kLikely : kUnlikely;
    for (const auto& [lo, hi] : mine) labelled.push_back({lo, hi, node, weight});
  }
  const double otherwise = default_action.kind == ir::ActionKind::Allow ? kLikely : kUnlikely;
  return value_search(g, arg, width, layout,
                      complete(std::move(labelled), w, g.ret(ret_value(default_action)), otherwise));
}


// The rules as a decision diagram: branch on one argument at a time, every comparison of that
// argument decided at once by a search over its values (or, for a masked test, by the test), and
// the rules that still may hold in each branch, with what is left of their conditions, decided
// the same way below. Equal residual rule sets share one node. Exact by construction: each branch
// keeps exactly the rules whose tested comparisons hold there.
class Diagram {
 public:
  Diagram(Graph& g, const ir::Action& default_action, const ArgLayout& layout)
      : g_(g), default_(default_action), layout_(layout) {}

  struct Item {
    ir::Action action;
    std::vector<ir::ArgCmp> cmps;  // a residual clause (sorted)
  };

  // nullopt when the diagram would grow past its budget (the caller then tests rule by rule).
  std::optional<NodeId> build(std::vector<Item> items) {
    try {
      return decide(std::move(items));
    } catch (const TooBig&) {
      return std::nullopt;
    }
  }

 private:
  struct TooBig {};
  static constexpr size_t kBudget = 20000;  // distinct residual rule sets

  // A masked comparison as a test of (word & mask) == value, and whether the comparison is its
  // negation.
  static std::tuple<uint8_t, uint8_t, uint64_t, uint64_t> masked_key(const ir::ArgCmp& c) {
    return {c.arg, c.width, c.mask, c.value};
  }

  std::vector<uint64_t> key_of(const std::vector<Item>& items) const {
    std::vector<uint64_t> key;
    for (const Item& it : items) {
      key.push_back(uint64_t{static_cast<uint8_t>(it.action.kind)} << 32 | it.action.data);
      for (const ir::ArgCmp& c : it.cmps) {
        key.push_back(uint64_t{c.arg} << 16 | uint64_t{c.width} << 8 | static_cast<uint8_t>(c.op));
        key.push_back(c.mask);
        key.push_back(c.value);
      }
      key.push_back(~uint64_t{0});
    }
    return key;
  }

  NodeId decide(std::vector<Item> items) {
    // What surely matches: nothing less restrictive than it can win.
    std::optional<ir::Action> sure;
    for (const Item& it : items)
      if (it.cmps.empty() && (!sure || ir::more_restrictive(it.action, *sure))) sure = it.action;
    if (sure)
      std::erase_if(items, [&](const Item& it) { return !ir::more_restrictive(it.action, *sure); });
    if (items.empty()) return g_.ret(ret_value(sure ? *sure : default_));
    for (Item& it : items) std::sort(it.cmps.begin(), it.cmps.end());
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      if (a.cmps != b.cmps) return a.cmps < b.cmps;
      return ir::more_restrictive(a.action, b.action);
    });
    // Of several items with one condition only the most restrictive can win.
    items.erase(std::unique(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.cmps == b.cmps; }),
                items.end());
    const std::vector<uint64_t> key = key_of(items) ;
    std::vector<uint64_t> full = key;
    if (sure) full.push_back(uint64_t{static_cast<uint8_t>(sure->kind)} << 32 | sure->data);
    full.push_back(sure ? 1 : 0);
    if (auto it = memo_.find(full); it != memo_.end()) return it->second;
    if (memo_.size() >= kBudget) throw TooBig{};
    const ir::Action otherwise = sure ? *sure : default_;
    const NodeId node = branch(items, otherwise);
    memo_.emplace(std::move(full), node);
    return node;
  }

  // Items that do not hold anywhere below fall to `otherwise` (the surely matching action or
  // the default): carried into every branch as an item without conditions.
  std::vector<Item> with_otherwise(std::vector<Item> items, const ir::Action& otherwise) const {
    if (!(otherwise == default_)) items.push_back({otherwise, {}});
    return items;
  }

  NodeId branch(const std::vector<Item>& items, const ir::Action& otherwise) {
    // The variable most items test: plain comparisons of one (argument, width), or one masked test.
    std::map<std::pair<uint8_t, uint8_t>, size_t> plain;
    std::map<std::tuple<uint8_t, uint8_t, uint64_t, uint64_t>, size_t> masked;
    for (const Item& it : items) {
      std::set<std::pair<uint8_t, uint8_t>> p;
      std::set<std::tuple<uint8_t, uint8_t, uint64_t, uint64_t>> m;
      for (const ir::ArgCmp& c : it.cmps) {
        if (is_plain(c.op)) p.insert({c.arg, c.width});
        else m.insert(masked_key(c));
      }
      for (const auto& v : p) ++plain[v];
      for (const auto& v : m) ++masked[v];
    }
    size_t best_plain = 0, best_masked = 0;
    std::pair<uint8_t, uint8_t> pv{};
    std::tuple<uint8_t, uint8_t, uint64_t, uint64_t> mv{};
    for (const auto& [v, n] : plain)
      if (n > best_plain) best_plain = n, pv = v;
    for (const auto& [v, n] : masked)
      if (n > best_masked) best_masked = n, mv = v;
    if (best_plain >= best_masked) return branch_plain(items, otherwise, pv.first, pv.second);
    return branch_masked(items, otherwise, mv);
  }

  NodeId branch_plain(const std::vector<Item>& items, const ir::Action& otherwise, uint8_t arg, uint8_t width) {
    const uint64_t w = arch::width_mask(width);
    std::vector<Intervals> sets(items.size());
    std::vector<Item> rest(items.size());
    std::vector<uint64_t> bounds = {0};
    std::vector<size_t> everywhere;
    for (size_t i = 0; i < items.size(); ++i) {
      Intervals set = {{0, w}};
      bool tested = false;
      rest[i].action = items[i].action;
      for (const ir::ArgCmp& c : items[i].cmps) {
        if (is_plain(c.op) && c.arg == arg && c.width == width) {
          set = intersect(set, intervals_of(c));
          tested = true;
        } else {
          rest[i].cmps.push_back(c);
        }
      }
      if (!tested) everywhere.push_back(i);
      for (const auto& [lo, hi] : set) {
        bounds.push_back(lo);
        if (hi < w) bounds.push_back(hi + 1);
      }
      sets[i] = std::move(set);
    }
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    std::vector<std::vector<size_t>> active(bounds.size());
    auto piece_of = [&](uint64_t v) {
      return static_cast<size_t>(std::upper_bound(bounds.begin(), bounds.end(), v) - bounds.begin() - 1);
    };
    for (size_t i = 0; i < items.size(); ++i) {
      if (std::find(everywhere.begin(), everywhere.end(), i) != everywhere.end()) continue;
      for (const auto& [lo, hi] : sets[i])
        for (size_t p = piece_of(lo); p < bounds.size() && bounds[p] <= hi; ++p) active[p].push_back(i);
    }
    std::vector<Piece> pieces;
    for (size_t p = 0; p < bounds.size(); ++p) {
      std::vector<Item> child;
      for (size_t i : active[p]) child.push_back(rest[i]);
      for (size_t i : everywhere) child.push_back(rest[i]);
      const NodeId node = decide(with_otherwise(std::move(child), otherwise));
      const bool likely = !g_[node].is_ret || g_[node].ret == kRetAllow;
      pieces.push_back({bounds[p], p + 1 < bounds.size() ? bounds[p + 1] - 1 : w, node, likely ? kLikely : kUnlikely});
    }
    return value_search(g_, arg, width, layout_, complete(std::move(pieces), w, -1, 0));
  }

  NodeId branch_masked(const std::vector<Item>& items, const ir::Action& otherwise,
                       const std::tuple<uint8_t, uint8_t, uint64_t, uint64_t>& v) {
    std::vector<Item> on_true, on_false;
    ir::ArgCmp test;
    for (const Item& it : items) {
      Item t{it.action, {}}, f{it.action, {}};
      bool t_dead = false, f_dead = false;
      for (const ir::ArgCmp& c : it.cmps) {
        if (!is_plain(c.op) && masked_key(c) == v) {
          test = c;
          // MaskedEq holds on the true branch, MaskedNe on the false one.
          (c.op == ir::CmpOp::MaskedEq ? f_dead : t_dead) = true;
        } else {
          t.cmps.push_back(c);
          f.cmps.push_back(c);
        }
      }
      if (!t_dead) on_true.push_back(std::move(t));
      if (!f_dead) on_false.push_back(std::move(f));
    }
    test.op = ir::CmpOp::MaskedEq;
    const NodeId yes = decide(with_otherwise(std::move(on_true), otherwise));
    const NodeId no = decide(with_otherwise(std::move(on_false), otherwise));
    return condition(g_, test, test.width, layout_, yes, no);
  }

  Graph& g_;
  ir::Action default_;
  ArgLayout layout_;
  std::map<std::vector<uint64_t>, NodeId> memo_;
};

}  // namespace

std::optional<unsigned> tested_width(const ir::ArgCmp& cmp, const ArgLayout& layout) {
  if (cmp.width <= layout.compare_bits) return cmp.width;
  // A masked test that reads only the low word means the same at 32 bits (`flags & CLONE_NEWUSER
  // != 0` on x32's 64-bit `unsigned long`); anything else does not.
  const bool masked = cmp.op == ir::CmpOp::MaskedEq || cmp.op == ir::CmpOp::MaskedNe;
  if (!masked || (cmp.mask & ~kLow) != 0 || (cmp.value & ~kLow) != 0) return std::nullopt;
  return 32u;
}

NodeId syscall_program(Graph& g, std::span<const ir::SyscallRule> rules, const ir::Action& default_action,
                       const ArgLayout& layout) {
  if (auto single = single_argument(rules, layout))
    return value_set_program(g, rules, default_action, layout, single->first, single->second);
  std::vector<Diagram::Item> items;
  for (const ir::SyscallRule& r : rules)
    for (const ir::Clause& clause : r.when) {
      Diagram::Item it{r.action, {}};
      for (ir::ArgCmp c : clause) {
        c.width = static_cast<uint8_t>(tested_width(c, layout).value_or(64));
        it.cmps.push_back(c);
      }
      items.push_back(std::move(it));
    }
  if (auto node = Diagram(g, default_action, layout).build(std::move(items))) return *node;
  std::map<ir::Action, std::vector<const ir::Clause*>, ActionOrder> by_action;
  for (const ir::SyscallRule& r : rules)
    for (const ir::Clause& clause : r.when) by_action[r.action].push_back(&clause);
  // Built from the least restrictive action up: each action's clauses fall through to the next
  // less restrictive action's tests, the last to the default.
  const NodeId otherwise = g.ret(ret_value(default_action));
  NodeId next = otherwise;
  for (auto it = by_action.rbegin(); it != by_action.rend(); ++it) {
    const auto& [action, clauses] = *it;
    if (next == otherwise && action == default_action) continue;  // holds or not, the default
    const NodeId decided = g.ret(ret_value(action));
    NodeId any = next;
    for (auto c = clauses.rbegin(); c != clauses.rend(); ++c) {
      NodeId all = decided;
      for (auto cmp = (*c)->rbegin(); cmp != (*c)->rend(); ++cmp)
        all = condition(g, *cmp, tested_width(*cmp, layout).value_or(64), layout, all, any);
      any = all;
    }
    next = any;
  }
  return next;
}

}  // namespace polc::backends::seccomp::gen
