// Stage: backends/seccomp. Sets of argument values as sorted, disjoint intervals: the exact and
// compact form for plain comparisons (==, !=, <, <=, >, >=) of one argument, used when every rule
// of a syscall tests the same argument that way (ioctl requests, socket domains, descriptors).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "compiler/ir/vocab.h"

namespace polc::backends::seccomp {

using Intervals = std::vector<std::pair<uint64_t, uint64_t>>;  // [lo, hi] pairs, sorted, disjoint

inline bool is_plain(ir::CmpOp op) { return op != ir::CmpOp::MaskedEq && op != ir::CmpOp::MaskedNe; }

// The values (at the comparison's width) where a plain comparison holds.
Intervals intervals_of(const ir::ArgCmp& c);
Intervals intersect(const Intervals& a, const Intervals& b);
Intervals unite(Intervals a, const Intervals& b);
Intervals subtract(const Intervals& a, const Intervals& b);

}  // namespace polc::backends::seccomp
