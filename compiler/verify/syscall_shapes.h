// Stage: verify. Exact facts about syscall rule conditions that need no solver, so that the lints
// of a syscall with thousands of argument rules ask Z3 only about rules that can meet.
//
// A rule's condition is a disjunction of clauses, each a conjunction of comparisons of argument
// registers. Where every comparison of one argument in a clause is plain (==, !=, <, <=, >, >=) at
// one width, the values it allows are a set of intervals, computed exactly; arguments are
// independent registers, so a clause whose sets are all non-empty is satisfiable, one with an
// empty set is not, and two rules whose sets of one argument at one width do not meet share no
// call. Anything else (masked tests, one argument compared at two widths) is left to the solver:
// these facts only ever skip a question whose answer they already know.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::verify {

// Sorted, disjoint, non-adjacent [lo, hi] pairs of values at some width.
using ValueRanges = std::vector<std::pair<uint64_t, uint64_t>>;

// The values one argument's low `width` bits take in every call a rule matches.
struct ArgValues {
  uint8_t width = 64;
  ValueRanges set;
};

struct RuleShape {
  // Per argument: known when every live clause confines the argument with plain comparisons at
  // one width (the union of the clauses' sets); nullopt when some clause leaves it free or tests
  // it otherwise.
  std::array<std::optional<ArgValues>, 6> args;
  bool satisfiable = false;  // proved: some clause has a non-empty set for every argument it reads
  bool empty = false;        // proved: every clause has an argument with no value (or none exists)
};

RuleShape shape_of(const std::vector<ir::Clause>& when);

// True only when no call can satisfy both rules (false when unsure).
bool disjoint(const RuleShape& a, const RuleShape& b);

// For each rule, the other rules of the same syscall that may share a call with it, found through
// an interval index on the argument most rules confine (near-linear where a policy's rules test
// one argument against distinct values, as ioctl request lists do) and then filtered with
// `disjoint` on every argument.
class OverlapIndex {
 public:
  explicit OverlapIndex(std::span<const RuleShape> shapes);
  // Ascending indices of the rules other than `i` not proved disjoint from rule `i`.
  std::vector<size_t> candidates(size_t i) const;

 private:
  void stab(size_t node, size_t lo, size_t hi, size_t end, uint64_t from, std::vector<size_t>& out) const;

  std::span<const RuleShape> shapes_;
  int key_arg_ = -1;  // the argument of the index, or -1: every rule is a candidate
  uint8_t key_width_ = 64;
  std::vector<size_t> unindexed_;                    // rules with no set on the key
  std::vector<std::pair<uint64_t, uint64_t>> hull_;  // indexed rules' [min, max], by min
  std::vector<size_t> hull_rule_;                    // the rule of each hull_ entry
  std::vector<uint64_t> max_hi_;                     // segment tree of max hull end over hull_
};

}  // namespace polc::verify
