// Stage: verify. The filesystem difference of two policies (see fs_diff.h).
//
// Both policies are encoded over the union of their rule paths, so that each class of paths is
// decided uniformly by each (fs_model.h). Z3 is asked for a (path class, right) the two decide
// differently; the witness is generalized to its whole class (every right on it: the two allowed
// masks in the model), the class is blocked, and the question is asked again until none is left.
// The classes found are then grouped into regions of the tree per right, so the output does not
// depend on the order the solver found them in.
//
// Why the tree is asked about in chunks: each query restates its formula, and Z3 bit-blasts it
// again, so one formula over every rule path makes a diff cost (differing classes) x (rules).
// A path beneath a node is beneath only that node's ancestors and the nodes of its subtree, so a
// question about a few sibling subtrees needs only the rules on them and on their ancestors, and
// is exact. Subtrees of up to kChunkNodes nodes are asked about together; a bigger one is split
// into its root's own class and chunks of its children.
#include "compiler/verify/fs_diff.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "compiler/verify/fs_model.h"
#include "compiler/verify/solver.h"

namespace polc::verify {

namespace {

constexpr size_t kChunkNodes = 16;

struct NodeDiff {
  uint64_t widened = 0;   // rights NEW allows and OLD denies on this class
  uint64_t narrowed = 0;  // rights OLD allows and NEW denies
};

// Whole subtrees of sibling nodes of the union tree, or (whole == false) the class of one node.
struct Chunk {
  std::vector<size_t> roots;
  bool whole = true;
};

void plan_chunks(const PathTree& tree, size_t node, std::vector<Chunk>& out) {
  if (tree.end(node) - node <= kChunkNodes) {
    out.push_back({{node}, true});
    return;
  }
  out.push_back({{node}, false});
  Chunk group;
  size_t group_size = 0;
  for (size_t c : tree.children(node)) {
    const size_t size = tree.end(c) - c;
    if (size > kChunkNodes) {
      plan_chunks(tree, c, out);
      continue;
    }
    if (group_size + size > kChunkNodes) {
      out.push_back(std::move(group));
      group = {};
      group_size = 0;
    }
    group.roots.push_back(c);
    group_size += size;
  }
  if (!group.roots.empty()) out.push_back(std::move(group));
}

using RulesByPath = std::map<std::string, std::vector<const ir::FsRule*>>;

RulesByPath by_path(const ir::Filesystem& fs) {
  RulesByPath out;
  for (const ir::FsRule& r : fs.rules) out[r.path].push_back(&r);
  return out;
}

std::vector<const ir::FsRule*> rules_on(const RulesByPath& rules, const PathTree& tree) {
  std::vector<const ir::FsRule*> out;
  for (size_t i = 0; i < tree.size(); ++i)
    if (auto it = rules.find(tree.path(i)); it != rules.end())
      out.insert(out.end(), it->second.begin(), it->second.end());
  return out;
}

// The masks at one class read off the formulas by substitution (a simplification of ground terms,
// not a search): the fallback when the solver gives up.
NodeDiff compare_at(z3::expr mask_old, z3::expr mask_new, const PathTree& tree, const FsVars& v, size_t node) {
  z3::context& ctx = v.right.ctx();
  std::vector<bool> chain(tree.size(), false);
  for (std::optional<size_t> n = node; n; n = tree.parent(*n)) chain[*n] = true;
  z3::expr_vector values(ctx);
  for (size_t i = 0; i < tree.size(); ++i) values.push_back(ctx.bool_val(chain[i]));
  uint64_t was = 0, is = 0;
  mask_old.substitute(v.under, values).simplify().is_numeral_u64(was);
  mask_new.substitute(v.under, values).simplify().is_numeral_u64(is);
  return {is & ~was, was & ~is};
}

// The classes of one chunk that the two policies decide differently, by node of `tree`.
void differing_classes(const RulesByPath& old_rules, const ir::Filesystem& old_fs, const RulesByPath& new_rules,
                       const ir::Filesystem& new_fs, const PathTree& tree, const Chunk& chunk,
                       std::map<size_t, NodeDiff>& found) {
  std::vector<std::string> paths;
  const std::optional<size_t> above = chunk.whole ? tree.parent(chunk.roots[0]) : chunk.roots[0];
  for (std::optional<size_t> n = above; n; n = tree.parent(*n)) paths.push_back(tree.path(*n));
  if (chunk.whole)
    for (size_t root : chunk.roots)
      for (size_t n = root; n < tree.end(root); ++n) paths.push_back(tree.path(n));
  const PathTree part(std::move(paths));

  z3::context& ctx = shared_context();
  const FsVars v = make_fs_vars(ctx, part);
  const z3::expr mask_old = allowed_mask(old_fs, rules_on(old_rules, part), part, v);
  const z3::expr mask_new = allowed_mask(new_fs, rules_on(new_rules, part), part, v);
  z3::expr_vector scope(ctx);
  for (size_t root : chunk.roots) {
    const size_t n = *part.find(tree.path(root));
    scope.push_back(chunk.whole ? v.under[static_cast<int>(n)] : in_class(v, part, n));
  }
  const z3::expr differ = well_formed(v, part) && z3::mk_or(scope) && ((mask_old ^ mask_new) & v.right) != 0;
  z3::expr_vector blocked(ctx);
  Query query(ctx, QueryScope::Own);
  for (;;) {
    const Answer answer = query.check(blocked.empty() ? differ : differ && z3::mk_and(blocked));
    if (answer == Answer::Unsat) return;
    if (answer == Answer::Unknown) {
      // The model is finite: fail closed by reading every class of the chunk off the formulas.
      for (size_t root : chunk.roots)
        for (size_t n = root; n < (chunk.whole ? tree.end(root) : root + 1); ++n) {
          const NodeDiff d = compare_at(mask_old, mask_new, part, v, *part.find(tree.path(n)));
          if (d.widened | d.narrowed) found[n] = d;
        }
      return;
    }
    const size_t n = class_of(query, v);
    const uint64_t was = query.value(mask_old), is = query.value(mask_new);
    found[*tree.find(part.path(n))] = {is & ~was, was & ~is};
    blocked.push_back(!in_class(v, part, n));
  }
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
  for (size_t i = 0; i < r.except.size(); ++i)
    out += (i == 0 ? ", except beneath " : ", ") + quoted(tree.path(r.except[i]));
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

  const RulesByPath old_rules = by_path(old_fs), new_rules = by_path(new_fs);
  std::vector<Chunk> chunks;
  plan_chunks(tree, 0, chunks);
  std::map<size_t, NodeDiff> found;
  for (const Chunk& chunk : chunks) differing_classes(old_rules, old_fs, new_rules, new_fs, tree, chunk, found);

  std::vector<DiffEntry> out;
  for (const Region& r : regions(tree, found)) {
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
