// Stage: ir. Normalization helpers that turn sema's resolved trees into the IR's canonical forms:
// conditions into disjunctive normal form, and whole policies into sorted, de-duplicated order.
#pragma once

#include <optional>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::ir {

// A boolean condition over argument comparisons, as sema resolves it from the source.
struct BoolExpr {
  enum class Kind : uint8_t { True, False, Cmp, And, Or, Not };
  Kind kind = Kind::True;
  ArgCmp cmp;                  // Cmp only
  std::vector<BoolExpr> kids;  // And/Or: two or more; Not: one

  static BoolExpr truth() { return {Kind::True, {}, {}}; }
  static BoolExpr falsity() { return {Kind::False, {}, {}}; }
  static BoolExpr compare(ArgCmp c) { return {Kind::Cmp, c, {}}; }
  static BoolExpr all(std::vector<BoolExpr> k) { return {Kind::And, {}, std::move(k)}; }
  static BoolExpr any(std::vector<BoolExpr> k) { return {Kind::Or, {}, std::move(k)}; }
  static BoolExpr negate(BoolExpr e) { return {Kind::Not, {}, {std::move(e)}}; }
};

// The negation of one comparison (Eq <-> Ne, Lt <-> Ge, Le <-> Gt, MaskedEq <-> MaskedNe).
ArgCmp negate(ArgCmp c);

// Converts `e` to DNF: negations pushed to the comparisons, conjunctions distributed over
// disjunctions, duplicate comparisons and clauses removed, clauses sorted. Returns nullopt when the
// result would have more than `max_clauses` clauses (the caller reports it).
std::optional<std::vector<Clause>> to_dnf(const BoolExpr& e, size_t max_clauses);

// Sorts and de-duplicates every list in `p` into its canonical order (see ir.h).
void canonicalize(Policy& p);

}  // namespace polc::ir
