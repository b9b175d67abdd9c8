// Stage: verify. The filesystem section as bit-vector formulas over path classes (see fs_model.h).
#include "compiler/verify/fs_model.h"

#include <algorithm>
#include <stdexcept>

#include "compiler/ir/evaluate_access.h"

namespace polc::verify {

namespace {

// Depth-first preorder of normal paths is their order with '/' sorted below every other byte:
// "/a", "/a/b", "/a-b" (plain byte order would put "/a-b" inside the subtree of "/a"). Normal
// paths have no control characters, so '/' can stand in as byte 1.
std::string preorder_key(const std::string& path) {
  std::string key = path;
  std::replace(key.begin(), key.end(), '/', '\x01');
  return key;
}

// The bitwise or of `terms`, as a balanced tree (a policy's thousand rules would otherwise make a
// chain a thousand deep).
z3::expr any_of(std::vector<z3::expr> terms, const z3::expr& none) {
  if (terms.empty()) return none;
  while (terms.size() > 1) {
    std::vector<z3::expr> next;
    for (size_t i = 0; i + 1 < terms.size(); i += 2) next.push_back(terms[i] | terms[i + 1]);
    if (terms.size() % 2) next.push_back(terms.back());
    terms = std::move(next);
  }
  return terms[0];
}

}  // namespace

bool beneath(const std::string& path, const std::string& ancestor) {
  if (ancestor == "/" || path == ancestor) return true;
  return path.size() > ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
         path[ancestor.size()] == '/';
}

PathTree::PathTree(std::vector<std::string> paths) {
  paths.push_back("/");
  std::vector<std::pair<std::string, std::string>> keyed;
  keyed.reserve(paths.size());
  for (std::string& p : paths) keyed.emplace_back(preorder_key(p), std::move(p));
  std::sort(keyed.begin(), keyed.end());
  keyed.erase(std::unique(keyed.begin(), keyed.end()), keyed.end());
  nodes_.reserve(keyed.size());
  // The open ancestors of the node being placed; a node closes when a path not beneath it comes.
  std::vector<size_t> open;
  for (auto& [key, path] : keyed) {
    const size_t i = nodes_.size();
    while (!open.empty() && !beneath(path, nodes_[open.back()].path)) {
      nodes_[open.back()].end = i;
      open.pop_back();
    }
    nodes_.push_back({std::move(path), std::move(key), 0, open.empty() ? i : open.back(), {}});
    if (!open.empty()) nodes_[open.back()].children.push_back(i);
    open.push_back(i);
  }
  for (size_t n : open) nodes_[n].end = nodes_.size();
}

std::optional<size_t> PathTree::parent(size_t node) const {
  if (node == 0) return std::nullopt;
  return nodes_[node].parent;
}

std::optional<size_t> PathTree::find(const std::string& path) const {
  const std::string key = preorder_key(path);
  auto it = std::lower_bound(nodes_.begin(), nodes_.end(), key,
                             [](const Node& n, const std::string& k) { return n.key < k; });
  if (it == nodes_.end() || it->path != path) return std::nullopt;
  return static_cast<size_t>(it - nodes_.begin());
}

FsVars make_fs_vars(z3::context& ctx, const PathTree& tree, const std::string& prefix) {
  FsVars v{z3::expr_vector(ctx), ctx.bv_const((prefix + "right").c_str(), 16)};
  for (size_t i = 0; i < tree.size(); ++i)
    v.under.push_back(ctx.bool_const((prefix + "under" + std::to_string(i)).c_str()));
  return v;
}

z3::expr well_formed(const FsVars& v, const PathTree& tree) {
  z3::context& ctx = v.right.ctx();
  z3::expr_vector parts(ctx);
  parts.push_back(v.under[0]);
  for (size_t i = 0; i < tree.size(); ++i) {
    if (auto p = tree.parent(i))
      parts.push_back(z3::implies(v.under[static_cast<int>(i)], v.under[static_cast<int>(*p)]));
    // Two children of one node are never both ancestors of one path: neither is beneath the other.
    if (tree.children(i).size() > 1) {
      z3::expr_vector kids(ctx);
      for (size_t c : tree.children(i)) kids.push_back(v.under[static_cast<int>(c)]);
      parts.push_back(z3::atmost(kids, 1));
    }
  }
  parts.push_back(v.right != 0 && (v.right & (v.right - 1)) == 0);
  return z3::mk_and(parts);
}

z3::expr beneath(const FsVars& v, const PathTree& tree, const std::string& path) {
  const std::optional<size_t> n = tree.find(path);
  if (!n) throw std::logic_error("verify: path \"" + path + "\" is not in the question's tree");
  return v.under[static_cast<int>(*n)];
}

z3::expr in_class(const FsVars& v, const PathTree& tree, size_t node) {
  z3::expr out = v.under[static_cast<int>(node)];
  for (size_t c : tree.children(node)) out = out && !v.under[static_cast<int>(c)];
  return out;
}

size_t class_of(const Query& query, const FsVars& v) {
  // The true Booleans form a chain from "/", and preorder puts descendants after ancestors.
  size_t deepest = 0;
  for (unsigned i = 0; i < v.under.size(); ++i)
    if (query.value(v.under[static_cast<int>(i)]) != 0) deepest = i;
  return deepest;
}

z3::expr has_right(const FsVars& v, uint64_t rights) {
  return (v.right & v.right.ctx().bv_val(rights & 0xffff, 16)) != 0;
}

z3::expr allowed_mask(const ir::Filesystem& fs, std::span<const ir::FsRule* const> rules, const PathTree& tree,
                      const FsVars& v) {
  z3::context& ctx = v.right.ctx();
  const z3::expr none = ctx.bv_val(0, 16);
  if (!fs.present) return ~none;
  std::vector<z3::expr> denied, granted;
  for (const ir::FsRule* r : rules)
    (r->deny ? denied : granted)
        .push_back(z3::ite(beneath(v, tree, r->path), ctx.bv_val(r->rights & 0xffff, 16), none));
  return ~ctx.bv_val(fs.handled & 0xffff, 16) | (any_of(granted, none) & ~any_of(denied, none));
}

z3::expr allowed(const ir::Filesystem& fs, std::span<const ir::FsRule* const> rules, const PathTree& tree,
                 const FsVars& v) {
  return (allowed_mask(fs, rules, tree, v) & v.right) != 0;
}

z3::expr allowed(const ir::Filesystem& fs, const PathTree& tree, const FsVars& v) {
  std::vector<const ir::FsRule*> all;
  all.reserve(fs.rules.size());
  for (const ir::FsRule& r : fs.rules) all.push_back(&r);
  return allowed(fs, all, tree, v);
}

std::vector<ir::Origin> deciding_rules(const ir::Filesystem& fs, const std::string& path, uint64_t right,
                                       bool is_allowed) {
  std::vector<ir::Origin> out;
  if (!fs.present || (fs.handled & right) == 0) return out;
  for (const ir::FsRule& r : fs.rules)
    if (r.deny != is_allowed && (r.rights & right) != 0 && beneath(path, r.path))
      out.insert(out.end(), r.origins.begin(), r.origins.end());
  return out;
}

std::string right_name(uint64_t bit) {
  const std::string_view name = ir::fs_right_name(bit);
  return name.empty() ? "right_" + std::to_string(bit) : std::string(name);
}

std::string rights_text(uint64_t bits) {
  std::string out;
  for (size_t i = 0; i < 64; ++i)
    if (bits & (uint64_t{1} << i)) out += (out.empty() ? "" : ", ") + right_name(uint64_t{1} << i);
  return out;
}

std::string quoted(const std::string& path) {
  std::string out = "\"";
  for (char c : path) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

std::string request_text(uint64_t right, const std::string& path) { return right_name(right) + " " + quoted(path); }

}  // namespace polc::verify
