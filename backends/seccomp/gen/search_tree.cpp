// Stage: backends/seccomp (polc's code generator). Weighted search trees over runs (see
// search_tree.h).
//
// Two kinds of node: a split (`jge K`: the runs from K up, else the runs below) and, at the
// bottom, a chain of equality tests: where the runs of an interval all lead to one outcome D
// except a few single values, `jeq` each of those (heaviest first) and D otherwise, one comparison
// for what a split would need two. Up to 300 runs the tree is the optimal one for the weights
// under the depth limit (a dynamic program over intervals and depths, O(n^3 log n)); above, each
// split balances the weight on its two sides within the same limit.
#include "backends/seccomp/gen/search_tree.h"

#include <algorithm>
#include <limits>

namespace polc::backends::seccomp::gen {

namespace {

constexpr size_t kExactLimit = 300;  // runs up to which the tree is optimal
constexpr size_t kChainRuns = 9;     // longest interval a chain may cover
constexpr unsigned kChainTests = 4;  // most equality tests in one chain
constexpr double kInf = std::numeric_limits<double>::infinity();

unsigned ceil_log2(size_t m) {
  unsigned t = 0;
  while ((size_t{1} << t) < m) ++t;
  return t;
}

struct Chain {
  double cost = kInf;
  unsigned tests = 0;
  NodeId otherwise = -1;
};

class Builder {
 public:
  Builder(Graph& g, uint32_t word, uint32_t mask, std::vector<Run> runs)
      : g_(g), word_(word), mask_(mask), runs_(std::move(runs)) {
    prefix_.push_back(0);
    for (const Run& r : runs_) prefix_.push_back(prefix_.back() + r.weight);
    chains_.resize(runs_.size() * kChainRuns);
    for (size_t i = 0; i < runs_.size(); ++i)
      for (size_t j = i + 1; j < runs_.size() && j - i < kChainRuns; ++j)
        chains_[i * kChainRuns + (j - i)] = chain_options(i, j);
  }

  NodeId build() {
    const size_t n = runs_.size();
    unsigned deepest = 0;
    for (const Run& r : runs_) deepest = std::max(deepest, r.extra);
    const unsigned balanced = ceil_log2(n) + 2;
    if (n <= kExactLimit) {
      const unsigned d = solve(balanced);
      return exact(0, n - 1, d);
    }
    return greedy(0, n - 1, balanced + deepest);
  }

 private:
  double weight(size_t i, size_t j) const { return prefix_[j + 1] - prefix_[i]; }

  // The cheapest chain over runs i..j with at most `max_tests` tests, if any (the first of equal
  // cost, in the order of their `otherwise` run).
  Chain chain(size_t i, size_t j, unsigned max_tests) const {
    Chain best;
    if (j - i + 1 > kChainRuns || i == j) return best;
    for (const ChainOption& o : chains_[i * kChainRuns + (j - i)])
      if (o.needs <= max_tests && o.chain.cost < best.cost) best = o.chain;
    return best;
  }

  // A chain over runs i..j, and the fewest tests any path through it may be allowed.
  struct ChainOption {
    Chain chain;
    unsigned needs = 0;
  };

  // Every chain over runs i..j (one per choice of the run the others fall through to), whatever
  // the limit on tests: the dynamic program asks about each interval once per depth, and the
  // chains do not depend on the depth beyond that limit.
  std::vector<ChainOption> chain_options(size_t i, size_t j) const {
    std::vector<ChainOption> out;
    std::vector<size_t> exceptions;
    for (size_t c = i; c <= j; ++c) {
      const NodeId d = runs_[c].node;
      exceptions.clear();
      double rest = 0;
      unsigned rest_extra = 0;
      bool ok = true;
      for (size_t r = i; r <= j && ok; ++r) {
        if (runs_[r].node == d) {
          rest += runs_[r].weight;
          rest_extra = std::max(rest_extra, runs_[r].extra);
        } else if (runs_[r].lo == runs_[r].hi) {
          exceptions.push_back(r);
        } else {
          ok = false;
        }
      }
      if (!ok || exceptions.size() > kChainTests) continue;
      std::stable_sort(exceptions.begin(), exceptions.end(),
                       [&](size_t a, size_t b) { return runs_[a].weight > runs_[b].weight; });
      double cost = rest * double(exceptions.size());
      unsigned needs = static_cast<unsigned>(exceptions.size()) + rest_extra;
      for (size_t p = 0; p < exceptions.size(); ++p) {
        needs = std::max(needs, static_cast<unsigned>(p + 1) + runs_[exceptions[p]].extra);
        cost += runs_[exceptions[p]].weight * double(p + 1);
      }
      out.push_back({{cost, static_cast<unsigned>(exceptions.size()), d}, needs});
    }
    return out;
  }

  NodeId emit_chain(size_t i, size_t j, NodeId otherwise) {
    std::vector<size_t> exceptions;
    for (size_t r = i; r <= j; ++r)
      if (runs_[r].node != otherwise) exceptions.push_back(r);
    std::stable_sort(exceptions.begin(), exceptions.end(),
                     [&](size_t a, size_t b) { return runs_[a].weight > runs_[b].weight; });
    NodeId node = otherwise;
    for (auto it = exceptions.rbegin(); it != exceptions.rend(); ++it)
      node = test(bpf::kJeq, runs_[*it].lo, runs_[*it].node, node);
    return node;
  }

  NodeId test(uint16_t op, uint32_t k, NodeId on_true, NodeId on_false) {
    if (mask_ == UINT32_MAX) return g_.test(word_, op, k, on_true, on_false);
    return g_.masked_test(word_, mask_, op, k, on_true, on_false);
  }

  NodeId split(size_t k, NodeId below, NodeId from_k) { return test(bpf::kJge, runs_[k].lo, from_k, below); }

  // cost_[d][i][j]: the cheapest tree over runs i..j with no path over d comparisons (a run's
  // extra counted as comparisons); choice_ says how: 0 a single run, -1 a chain, k > 0 a split
  // before run i + k. Layers are added until the whole range is feasible and at least
  // `at_least` deep; returns the depth used.
  unsigned solve(unsigned at_least) {
    const size_t n = runs_.size();
    cost_.clear();
    choice_.clear();
    below_.assign(n * n, kInf);
    for (unsigned d = 0;; ++d) {
      cost_.emplace_back(n * n, kInf);
      choice_.emplace_back(n * n, 0);
      above_.assign(n * n, kInf);
      fill(d);
      std::swap(below_, above_);
      if (d >= at_least && cost_[d][n - 1] < kInf) return d;
    }
  }

  void fill(unsigned d) {
    const size_t n = runs_.size();
    for (size_t len = 1; len <= n; ++len)
      for (size_t i = 0; i + len <= n; ++i) {
        const size_t j = i + len - 1;
        double& best = cost_[d][i * n + j];
        int& how = choice_[d][i * n + j];
        if (i == j) {
          if (runs_[i].extra <= d) best = 0;
          continue;
        }
        if (d == 0 || ceil_log2(len) > d) continue;
        if (const Chain c = chain(i, j, d); c.cost < best) {
          best = c.cost;
          how = -1;
        }
        // Both halves read contiguously: trees over i..k-1 along row i of the layer below, trees
        // over k..j along its column j (kept transposed in below_). The best so far stays in
        // registers (a reference into cost_ would be stored on every improvement).
        const double here = weight(i, j);
        const double* left = &cost_[d - 1][i * n];
        const double* right = &below_[j * n];
        double least = best;
        int choice = how;
        for (size_t k = i + 1; k <= j; ++k) {
          const double c = left[k - 1] + right[k] + here;
          if (c < least) {
            least = c;
            choice = static_cast<int>(k - i);
          }
        }
        best = least;
        how = choice;
      }
    // This layer, transposed, for the next.
    for (size_t i = 0; i < n; ++i)
      for (size_t j = i; j < n; ++j) above_[j * n + i] = cost_[d][i * n + j];
  }

  NodeId exact(size_t i, size_t j, unsigned d) {
    const size_t n = runs_.size();
    const int how = choice_[d][i * n + j];
    if (i == j) return runs_[i].node;
    if (how == -1) return emit_chain(i, j, chain(i, j, d).otherwise);
    const size_t k = i + static_cast<size_t>(how);
    const NodeId below = exact(i, k - 1, d - 1);
    const NodeId from_k = exact(k, j, d - 1);
    return split(k, below, from_k);
  }

  NodeId greedy(size_t i, size_t j, unsigned d) {
    if (i == j) return runs_[i].node;
    if (const Chain c = chain(i, j, std::min(d, 2u)); c.cost < kInf) return emit_chain(i, j, c.otherwise);
    const double total = weight(i, j);
    size_t best_k = 0;
    double best = kInf;
    for (size_t k = i + 1; k <= j; ++k) {
      if (ceil_log2(k - i) + 1 > d || ceil_log2(j - k + 1) + 1 > d) continue;
      const double imbalance = std::abs(2 * weight(i, k - 1) - total);
      if (imbalance < best) {
        best = imbalance;
        best_k = k;
      }
    }
    const NodeId below = greedy(i, best_k - 1, d - 1);
    const NodeId from_k = greedy(best_k, j, d - 1);
    return split(best_k, below, from_k);
  }

  Graph& g_;
  uint32_t word_;
  uint32_t mask_;
  std::vector<Run> runs_;
  std::vector<double> prefix_;
  std::vector<std::vector<ChainOption>> chains_;  // [i * kChainRuns + (j - i)]: chain_options(i, j)
  std::vector<std::vector<double>> cost_;
  std::vector<std::vector<int>> choice_;
  std::vector<double> below_, above_;  // the layer below this one and this one, transposed: [j * n + i]
};

}  // namespace

NodeId search(Graph& g, uint32_t word, std::vector<Run> runs, uint32_t mask) {
  std::vector<Run> merged;
  for (const Run& r : runs) {
    if (r.lo > mask) break;  // values `word & mask` never takes
    if (!merged.empty() && merged.back().node == r.node && merged.back().hi + 1 == r.lo) {
      merged.back().hi = r.hi;
      merged.back().weight += r.weight;
    } else {
      merged.push_back(r);
    }
  }
  merged.back().hi = UINT32_MAX;
  return Builder(g, word, mask, std::move(merged)).build();
}

}  // namespace polc::backends::seccomp::gen
