// Stage: backends/seccomp (polc's code generator). A search over a 32-bit word (the syscall
// number, or one half of an argument) that tells apart runs of values with different outcomes,
// in the fewest comparisons on average for the runs' weights. No path is longer than a balanced
// tree's by more than two, or than the shortest possible longest path where a run's own tests
// (its `extra`) make that longer.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/seccomp/gen/graph.h"

namespace polc::backends::seccomp::gen {

struct Run {
  uint32_t lo = 0, hi = 0;  // both included
  NodeId node = -1;         // what follows for these values (a return or more tests)
  double weight = 0;        // how often the values are expected, relative to the other runs
  unsigned extra = 0;       // instructions `node` executes at most beyond one return
};

// Runs covering [0, 2^32) in order; adjacent runs with the same node are merged first (their
// weights added). Returns the search's first node (the only run's node when there is one).
// With a `mask` other than all ones the search is over `word & mask` (an argument narrower than
// 32 bits): runs above the mask's value are never reached.
NodeId search(Graph& g, uint32_t word, std::vector<Run> runs, uint32_t mask = UINT32_MAX);

}  // namespace polc::backends::seccomp::gen
