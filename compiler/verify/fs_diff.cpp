// Stage: verify. The filesystem difference of two policies (see fs_diff.h).
//
// Both policies are encoded over one path tree, the union of their rule paths, so that a node's
// class is decided uniformly by each (fs_model.h). Z3 is asked for a (path class, right) the two
// decide differently; the witness is generalized to its whole class (every right on that class,
// read off the two formulas at that node), the class is blocked, and the question is asked again
// until none is left. The found classes are then grouped into regions of the tree per right, so
// the output does not depend on the order the solver found them in.
#include "compiler/verify/fs_diff.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "compiler/verify/fs_model.h"
#include "compiler/verify/solver.h"

namespace polc::verify {

namespace {

struct NodeDiff {
  uint64_t widened = 0;   // rights NEW allows and OLD denies on this class
  uint64_t narrowed = 0;  // rights OLD allows and NEW denies
};

// The rights decided differently on one class: the formulas evaluated at that class (a
// simplification of ground terms, not a search).
NodeDiff compare_at(z3::expr allowed_old, z3::expr allowed_new, const PathTree& tree, const FsVars& v, size_t node) {
  z3::context& ctx = v.right.ctx();
  // The class's path is beneath exactly the node and its ancestors.
  std::vector<bool> chain(tree.size(), false);
  for (std::optional<size_t> n = node; n; n = tree.parent(*n)) chain[*n] = true;
  z3::expr_vector chain_val(ctx), right_var(ctx);
  for (size_t i = 0; i < tree.size(); ++i) chain_val.push_back(ctx.bool_val(chain[i]));
  right_var.push_back(v.right);
  // Fixing the path first leaves a small formula in the right alone.
  z3::expr at_old = allowed_old.substitute(v.under, chain_val).simplify();
  z3::expr at_new = allowed_new.substitute(v.under, chain_val).simplify();
  NodeDiff out;
  for (unsigned i = 0; i < 16; ++i) {
    const uint64_t bit = uint64_t{1} << i;
    z3::expr_vector right_val(ctx);
    right_val.push_back(ctx.bv_val(bit, 16));
    const bool old_allows = at_old.substitute(right_var, right_val).simplify().is_true();
    const bool new_allows = at_new.substitute(right_var, right_val).simplify().is_true();
    if (new_allows && !old_allows) out.widened |= bit;
    if (old_allows && !new_allows) out.narrowed |= bit;
  }
  return out;
}

// The classes the two policies decide differently, found by asking Z3 until it finds none.
std::map<size_t, NodeDiff> differing_classes(const ir::Filesystem& old_fs, const ir::Filesystem& new_fs,
                                             const PathTree& tree) {
  z3::context ctx;
  const FsVars v = make_fs_vars(ctx, tree);
  const z3::expr allowed_old = allowed(old_fs, tree, v);
  const z3::expr allowed_new = allowed(new_fs, tree, v);
  const z3::expr differ = well_formed(v, tree) && allowed_old != allowed_new;
  std::map<size_t, NodeDiff> found;
  z3::expr_vector blocked(ctx);
  Query query(ctx);
  for (;;) {
    const Answer answer = query.check(blocked.empty() ? differ : differ && z3::mk_and(blocked));
    if (answer == Answer::Unsat) break;
    if (answer == Answer::Unknown) {
      // The model is finite: fail closed by reading every class not found yet off the formulas.
      for (size_t n = 0; n < tree.size(); ++n)
        if (!found.count(n))
          if (NodeDiff d = compare_at(allowed_old, allowed_new, tree, v, n); d.widened | d.narrowed) found[n] = d;
      break;
    }
    const size_t node = class_of(query, v);
    found[node] = compare_at(allowed_old, allowed_new, tree, v, node);
    blocked.push_back(!in_class(v, tree, node));
  }
  return found;
}

struct Region {
  bool widened = false;
  size_t root = 0;
  std::vector<size_t> except;  // the topmost classes beneath `root` that are not in the region
  uint64_t rights = 0;
};

// For each right and direction, the classes that differ form subtrees with holes: one region per
// topmost member, its holes the topmost non-members beneath it (a member beneath a hole starts a
// region of its own). Rights with the same root and holes share one region.
std::vector<Region> regions(const PathTree& tree, const std::map<size_t, NodeDiff>& found) {
  std::map<std::tuple<bool, size_t, std::vector<size_t>>, uint64_t> grouped;
  for (const bool widened : {true, false}) {
    for (unsigned i = 0; i < 16; ++i) {
      const uint64_t bit = uint64_t{1} << i;
      auto member = [&](size_t n) {
        auto it = found.find(n);
        return it != found.end() && ((widened ? it->second.widened : it->second.narrowed) & bit) != 0;
      };
      for (const auto& [n, diff] : found) {
        if (!member(n)) continue;
        if (auto p = tree.parent(n); p && member(*p)) continue;
        std::vector<size_t> except;
        for (size_t m = n + 1; m < tree.end(n);) {
          if (member(m)) {
            ++m;
          } else {
            except.push_back(m);
            m = tree.end(m);
          }
        }
        grouped[{widened, n, std::move(except)}] |= bit;
      }
    }
  }
  std::vector<Region> out;
  for (auto& [key, rights] : grouped) out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), rights});
  // Widened first (what a reviewer must approve), then parents before children, then rights.
  std::stable_sort(out.begin(), out.end(), [](const Region& a, const Region& b) {
    const bool narrowed_a = !a.widened, narrowed_b = !b.widened;
    return std::tie(narrowed_a, a.root, a.rights) < std::tie(narrowed_b, b.root, b.rights);
  });
  return out;
}

std::string region_text(const PathTree& tree, const Region& r) {
  std::string out = rights_text(r.rights) + " beneath " + quoted(tree.path(r.root));
  for (size_t i = 0; i < r.except.size(); ++i) out += (i == 0 ? ", except beneath " : ", ") + quoted(tree.path(r.except[i]));
  return out;
}

}  // namespace

std::vector<DiffEntry> diff_filesystem(const ir::Policy& old_policy, const ir::Policy& new_policy) {
  const ir::Filesystem& old_fs = old_policy.filesystem;
  const ir::Filesystem& new_fs = new_policy.filesystem;
  std::vector<std::string> paths;
  for (const ir::FsRule& r : old_fs.rules) paths.push_back(r.path);
  for (const ir::FsRule& r : new_fs.rules) paths.push_back(r.path);
  const PathTree tree(std::move(paths));

  std::vector<DiffEntry> out;
  for (const Region& r : regions(tree, differing_classes(old_fs, new_fs, tree))) {
    DiffEntry e;
    e.dimension = DiffEntry::Dimension::Filesystem;
    e.widened = r.widened;
    e.region = region_text(tree, r);
    const std::string& path = tree.path(r.root);
    const uint64_t right = r.rights & (~r.rights + 1);  // the lowest right of the region
    e.witness = request_text(right, path);
    e.new_decision = r.widened ? "allowed" : "denied";
    e.old_decision = r.widened ? "denied" : "allowed";
    e.new_rules = deciding_rules(new_fs, path, right, r.widened);
    e.old_rules = deciding_rules(old_fs, path, right, !r.widened);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace polc::verify
