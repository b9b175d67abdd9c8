// Stage: verify. The meaning of the IR's filesystem section in Z3: whether a policy allows one right
// on one path, as a formula over a path variable and a right variable.
//
// Why not Z3's string theory: with the normal-path constraints (no "//", no "." or ".." segments,
// no trailing "/", printable characters), Z3 4.8.12's sequence solver took 1 to 25 seconds per
// question over ten rule paths (even prefix constraints alone took seconds) and did not finish in
// two minutes over two hundred. The encoding below is an exact finite abstraction instead, solved
// as Booleans and a 16-bit vector.
//
// The abstraction. Let S be a set of normal absolute paths that contains "/" and every rule path
// a question reads. For a path P, let anc(P) be the deepest member of S that P is beneath
// (P == D, or P starts with D + "/", or D == "/"); it exists because "/" is in S. Then:
//  1. The members of S that P is beneath are exactly those that anc(P) is beneath. (If P is beneath
//     D and A = anc(P), both are whole-component prefixes of P, so one is beneath the other, and D
//     cannot be the deeper one; conversely "beneath" is transitive.)
//  2. So whether P is beneath each rule path, and hence every decision of the policy, depends on
//     anc(P) alone: the paths split into |S| classes, one per member Q of S.
//  3. Each class contains Q itself (anc(Q) = Q), so Q is a real path that witnesses its class.
// So a path is encoded by which members of S it is beneath: one Boolean per member, true for
// the chain from "/" down to anc(P). The constraints of well_formed() (the root is true, a true
// member's parent is true, at most one child of any member is true) admit exactly these chains,
// one per class, so "P is beneath D" is just D's Boolean and every decision is a propositional
// formula. Adding paths to S (a query's path, the other policy's rule paths) only refines the
// classes, so one tree serves every policy a question compares.
//
// (An earlier encoding numbered S in depth-first preorder and made "beneath D" an interval of a
// 32-bit vector: exact too, but Z3 bit-blasts the comparisons again on every query: half a second
// per query over 1,300 rule paths, twenty times what the Booleans take.)
//
// Rights are a 16-bit vector with exactly one of the ir::fs_right bits set.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>
#include <z3++.h>

#include "compiler/ir/ir.h"
#include "compiler/verify/solver.h"

namespace polc::verify {

// The paths that matter to one question, as a tree numbered in depth-first preorder (so a node's
// descendants follow it contiguously). "/" is always node 0, so every path belongs to the class of
// some node.
class PathTree {
 public:
  // `paths` must be normal absolute paths (the IR's are); duplicates are fine.
  explicit PathTree(std::vector<std::string> paths);

  size_t size() const { return nodes_.size(); }
  const std::string& path(size_t node) const { return nodes_[node].path; }
  // One past the last node beneath `node` (the node itself is at `node`).
  size_t end(size_t node) const { return nodes_[node].end; }
  // The deepest other node that `node` is beneath; nullopt for "/".
  std::optional<size_t> parent(size_t node) const;
  // The nodes whose parent is `node`, in order.
  const std::vector<size_t>& children(size_t node) const { return nodes_[node].children; }
  std::optional<size_t> find(const std::string& path) const;

 private:
  struct Node {
    std::string path;
    std::string key;  // the path with '/' as byte 1: nodes are sorted by it
    size_t end = 0;
    size_t parent = 0;
    std::vector<size_t> children;
  };
  std::vector<Node> nodes_;
};

// One (path, right) pair of a question over one tree.
struct FsVars {
  z3::expr_vector under;  // under[i]: the path is beneath node i of the tree
  z3::expr right;         // 16-bit vector with exactly one fs_right bit set
};
FsVars make_fs_vars(z3::context& ctx, const PathTree& tree, const std::string& prefix = "");

// The Booleans describe a path (a chain from "/") and the right is one right.
z3::expr well_formed(const FsVars& v, const PathTree& tree);
// The path is beneath `path`, which must be a node of `tree`.
z3::expr beneath(const FsVars& v, const PathTree& tree, const std::string& path);
// The path is in the class of `node`: beneath it and beneath none of its children.
z3::expr in_class(const FsVars& v, const PathTree& tree, size_t node);
// The class of a witness: the deepest node the model puts the path beneath (after Sat).
size_t class_of(const Query& query, const FsVars& v);
// The right is one of `rights`.
z3::expr has_right(const FsVars& v, uint64_t rights);

// The rights `fs` allows on the path, as a 16-bit vector, reading only `rules` (rules of `fs`, or
// any subset a check wants to leave rules out of): every right when there is no filesystem section;
// otherwise the rights not handled, plus those some matching allow rule has and no matching deny
// rule has. Every rule path must be a node of `tree`.
z3::expr allowed_mask(const ir::Filesystem& fs, std::span<const ir::FsRule* const> rules, const PathTree& tree,
                      const FsVars& v);
// Whether `fs` allows the right on the path: the right is in allowed_mask.
z3::expr allowed(const ir::Filesystem& fs, std::span<const ir::FsRule* const> rules, const PathTree& tree,
                 const FsVars& v);
z3::expr allowed(const ir::Filesystem& fs, const PathTree& tree, const FsVars& v);

// The textual relation itself, for the structural pre-filters and explanations. Written here
// rather than taken from ir::evaluate_access so that the tests that compare this model with that
// evaluator compare two independent readings of the definition.
bool beneath(const std::string& path, const std::string& ancestor);

// The rules of `fs` that decide `right` on `path` as `is_allowed` says: the matching allow rules
// with the right when allowed, else the matching deny rules with it (none when the path is denied
// because nothing grants it, or allowed because the section is absent or the right unhandled).
std::vector<ir::Origin> deciding_rules(const ir::Filesystem& fs, const std::string& path, uint64_t right,
                                       bool is_allowed);

// Landlock's name of one right ("write_file"), and of a set in bit order ("read_file, read_dir").
std::string right_name(uint64_t bit);
std::string rights_text(uint64_t bits);
// A path as the language quotes it, and a request as a policy writes it: `write_file "/etc"`.
std::string quoted(const std::string& path);
std::string request_text(uint64_t right, const std::string& path);

}  // namespace polc::verify
