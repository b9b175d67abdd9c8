// Benchmark support (bench/filter_cost.cpp): lower bounds on what any seccomp program deciding a
// policy's x86_64 calls must execute per call, computed from the policy rather than from a program.
// The model: a 3-instruction prologue (load the arch, compare it, load the number), a search tree
// over the runs of syscall numbers with one decision (a number whose decision depends on its
// arguments is a run of its own), one comparison per tree level, then for such a number at least
// one argument load and a search over the pieces of the argument's values with one decision (or
// a single comparison when several arguments decide), and the final return. Two trees: balanced
// (the fewest levels for the deepest run) and the optimal alphabetic tree for given weights
// (Knuth's dynamic program: the least weighted mean depth of any search tree whose leaves keep
// the numbers' order). Decisions are ir::decide's, so a bound row decides exactly as the policy.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "backends/seccomp/bpf_interp.h"
#include "compiler/ir/ir.h"

namespace polc::bench {

using Args = std::array<uint64_t, 6>;

// Runs of x86_64 syscall numbers (as unsigned: x32's numbers and -1 included) with one decision.
struct NumberRange {
  uint32_t lo = 0, hi = 0;  // inclusive
  bool depends = false;     // a single number whose decision depends on its arguments
};
std::vector<NumberRange> number_ranges(const ir::Policy& policy);

class LowerBound {
 public:
  // `weights`: one per range of number_ranges (same order), or empty for the balanced tree.
  LowerBound(const ir::Policy& policy, std::span<const double> weights);
  backends::seccomp::RunResult run(int nr, const Args& args) const;
  backends::seccomp::CacheVerdict cache(int nr) const;
  size_t ranges() const { return ranges_.size(); }

 private:
  struct ArgModel {
    int arg = -1;                  // the one argument deciding (plain comparisons only), or -1
    unsigned width = 64;           // the comparisons' width (the register is truncated to it)
    std::vector<uint64_t> starts;  // first value of each piece, ascending
    std::vector<unsigned> depth;   // the piece's depth in a balanced tree over the pieces
  };
  size_t range_of(uint32_t nr) const;
  const ir::Policy& policy_;
  std::vector<arch::Arch> decides_;
  std::vector<NumberRange> ranges_;
  std::vector<unsigned> depth_;  // per range
  std::map<int, ArgModel> args_;
};

// Leaf depths of the optimal alphabetic tree over leaves of the given weights.
std::vector<unsigned> optimal_alphabetic_depths(std::span<const double> weights);
// Leaf depths of the balanced tree over n leaves (halving, the larger half first).
std::vector<unsigned> balanced_depths(size_t n);

}  // namespace polc::bench
