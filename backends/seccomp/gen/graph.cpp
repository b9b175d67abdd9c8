// Stage: backends/seccomp (polc's code generator). The program DAG and its layout (see graph.h).
#include "backends/seccomp/gen/graph.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <set>

namespace polc::backends::seccomp::gen {

namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();
constexpr size_t kMaxJump = 255;  // jt and jf are 8 bits

// What the accumulator holds after a test: its word, masked or not.
struct AState {
  uint32_t word = 0;
  bool masked = false;
  uint32_t mask = 0;
  friend bool operator==(const AState&, const AState&) = default;
};

AState state_of(const Node& n) { return {n.word, n.masked, n.masked ? n.mask : 0}; }

// The non-return nodes reachable from `root` in layout order: a topological order (every node
// after each of its predecessors) that puts one successor right after its node. The successor
// laid out first is the arch dispatch's true branch, else the smaller one, so that a jump that
// must cross a subprogram crosses the smaller one (fewer trampolines).
std::vector<NodeId> layout_order(const Graph& g, NodeId root) {
  std::vector<size_t> size(g.size(), 0);  // rough: shared nodes counted once per parent, capped
  for (size_t id = 0; id < g.size(); ++id) {
    const Node& n = g[static_cast<NodeId>(id)];
    if (n.is_ret) continue;
    size_t s = 2;
    for (NodeId c : {n.on_true, n.on_false})
      if (!g[c].is_ret) s += size[static_cast<size_t>(c)];
    size[id] = std::min<size_t>(s, size_t{1} << 40);
  }
  auto first_child = [&](const Node& n) {
    if (n.true_first) return n.on_true;
    return size[static_cast<size_t>(n.on_true)] < size[static_cast<size_t>(n.on_false)] ? n.on_true : n.on_false;
  };
  // Iterative DFS; reverse postorder is topological. The child to lay out first is visited last.
  std::vector<char> seen(g.size(), 0);
  std::vector<NodeId> post;
  std::vector<std::pair<NodeId, int>> stack;  // node, children pushed so far
  if (!g[root].is_ret) stack.emplace_back(root, 0);
  seen[static_cast<size_t>(root)] = 1;
  while (!stack.empty()) {
    auto& [id, step] = stack.back();
    const Node& n = g[id];
    if (step == 2) {
      post.push_back(id);
      stack.pop_back();
      continue;
    }
    const NodeId first = first_child(n);
    const NodeId second = first == n.on_true ? n.on_false : n.on_true;
    const NodeId child = step == 0 ? second : first;
    ++step;
    if (!g[child].is_ret && !seen[static_cast<size_t>(child)]) {
      seen[static_cast<size_t>(child)] = 1;
      stack.emplace_back(child, 0);
    }
  }
  return {post.rbegin(), post.rend()};
}

}  // namespace

NodeId Graph::add(const Node& n) {
  const Key key{n.is_ret, n.ret, n.word, n.masked, n.masked ? n.mask : 0, n.op, n.k, n.on_true, n.on_false, n.true_first};
  if (auto it = index_.find(key); it != index_.end()) return it->second;
  nodes_.push_back(n);
  const auto id = static_cast<NodeId>(nodes_.size() - 1);
  index_.emplace(key, id);
  return id;
}

NodeId Graph::ret(uint32_t value) {
  Node n;
  n.is_ret = true;
  n.ret = value;
  return add(n);
}

NodeId Graph::test(uint32_t word, uint16_t op, uint32_t k, NodeId on_true, NodeId on_false) {
  if (on_true == on_false) return on_true;
  Node n;
  n.word = word;
  n.op = op;
  n.k = k;
  n.on_true = on_true;
  n.on_false = on_false;
  return add(n);
}

NodeId Graph::masked_test(uint32_t word, uint32_t mask, uint16_t op, uint32_t k, NodeId on_true, NodeId on_false) {
  if (on_true == on_false) return on_true;
  Node n;
  n.word = word;
  n.masked = true;
  n.mask = mask;
  n.op = op;
  n.k = k;
  n.on_true = on_true;
  n.on_false = on_false;
  return add(n);
}

size_t Graph::test_cost(NodeId root) const {
  // Each test once, its jump and mask, and its load unless the test it was first reached from
  // left the same word in the accumulator (what lay_out does in the usual, unshared case).
  std::set<NodeId> seen;
  std::vector<std::pair<NodeId, NodeId>> todo = {{root, -1}};  // node, parent
  size_t cost = 0;
  while (!todo.empty()) {
    const auto [id, parent] = todo.back();
    todo.pop_back();
    const Node& n = (*this)[id];
    if (n.is_ret || !seen.insert(id).second) continue;
    const bool same = parent >= 0 && (*this)[parent].word == n.word && (*this)[parent].masked == n.masked &&
                      (*this)[parent].mask == n.mask;
    cost += 1 + (same ? 0 : 1 + (n.masked ? 1 : 0));
    todo.emplace_back(n.on_true, id);
    todo.emplace_back(n.on_false, id);
  }
  return cost;
}

size_t Graph::longest(NodeId root) {
  longest_.resize(nodes_.size(), 0);
  // The loads a test needs after `from`: none when `from` left its word (and mask) in A.
  auto loads = [&](const Node& from, const Node& to) -> size_t {
    if (to.is_ret) return 0;
    if (from.word == to.word && !from.masked && !to.masked) return 0;
    if (from.word == to.word && from.masked == to.masked && from.mask == to.mask) return 0;
    if (from.word == to.word && !from.masked) return 1;  // the mask only
    return to.masked ? 2 : 1;
  };
  // Successors have smaller ids: fill the memo bottom-up over the ids reachable from root.
  std::vector<NodeId> todo = {root}, order;
  std::vector<char> seen(nodes_.size(), 0);
  while (!todo.empty()) {
    const NodeId id = todo.back();
    todo.pop_back();
    if (seen[static_cast<size_t>(id)]) continue;
    seen[static_cast<size_t>(id)] = 1;
    order.push_back(id);
    const Node& n = nodes_[static_cast<size_t>(id)];
    if (!n.is_ret) {
      todo.push_back(n.on_true);
      todo.push_back(n.on_false);
    }
  }
  std::sort(order.begin(), order.end());
  for (NodeId id : order) {
    const Node& n = nodes_[static_cast<size_t>(id)];
    if (n.is_ret) {
      longest_[static_cast<size_t>(id)] = 1;
      continue;
    }
    size_t best = 0;
    for (NodeId c : {n.on_true, n.on_false})
      best = std::max(best, loads(n, nodes_[static_cast<size_t>(c)]) + longest_[static_cast<size_t>(c)]);
    longest_[static_cast<size_t>(id)] = 1 + best;
  }
  const Node& r = nodes_[static_cast<size_t>(root)];
  return longest_[static_cast<size_t>(root)] + (r.is_ret ? 0 : r.masked ? 2 : 1);
}

std::vector<Insn> lay_out(const Graph& g, NodeId root) {
  if (g[root].is_ret) return {bpf::stmt(bpf::kRet | bpf::kK, g[root].ret)};
  const std::vector<NodeId> order = layout_order(g, root);

  // The accumulator on entry to each node: known when every predecessor leaves the same state.
  std::vector<std::optional<AState>> in(g.size());
  std::vector<char> has_pred(g.size(), 0), conflict(g.size(), 0);
  conflict[static_cast<size_t>(root)] = 1;  // entry: nothing loaded
  for (NodeId id : order) {
    const Node& n = g[id];
    for (NodeId c : {n.on_true, n.on_false}) {
      auto& slot = in[static_cast<size_t>(c)];
      if (!has_pred[static_cast<size_t>(c)]) {
        has_pred[static_cast<size_t>(c)] = 1;
        slot = state_of(n);
      } else if (slot && !(*slot == state_of(n))) {
        conflict[static_cast<size_t>(c)] = 1;
      }
    }
  }

  // Built backwards (all jumps go forward, so every target is placed before its jump); positions
  // are counted from the program's end.
  std::vector<Insn> rev;
  std::vector<size_t> label(g.size(), kNone);
  std::map<uint32_t, size_t> ret_copy;  // return value -> nearest copy placed so far
  std::map<NodeId, size_t> trampoline;  // node -> nearest `ja` to it placed so far
  auto nearest = [&](NodeId t) -> size_t {
    if (g[t].is_ret) {
      auto it = ret_copy.find(g[t].ret);
      return it == ret_copy.end() ? kNone : it->second;
    }
    size_t best = label[static_cast<size_t>(t)];
    if (auto it = trampoline.find(t); it != trampoline.end()) best = std::max(best, it->second);
    return best;
  };
  auto place_near = [&](NodeId t) {
    const size_t at = rev.size();
    if (g[t].is_ret) {
      rev.push_back(bpf::stmt(bpf::kRet | bpf::kK, g[t].ret));
      ret_copy[g[t].ret] = at;
    } else {
      rev.push_back(bpf::stmt(bpf::kJmp | bpf::kJa, static_cast<uint32_t>(at - label[static_cast<size_t>(t)] - 1)));
      trampoline[t] = at;
    }
  };
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node& n = g[*it];
    for (bool again = true; again;) {
      again = false;
      const size_t j = rev.size();
      for (NodeId t : {n.on_true, n.on_false}) {
        const size_t at = nearest(t);
        if (at == kNone || j - at - 1 > kMaxJump) {
          place_near(t);
          again = true;
          break;
        }
      }
    }
    const size_t j = rev.size();
    rev.push_back(bpf::jump(bpf::kJmp | n.op | bpf::kK, n.k, static_cast<uint8_t>(j - nearest(n.on_true) - 1),
                            static_cast<uint8_t>(j - nearest(n.on_false) - 1)));
    const auto& before = in[static_cast<size_t>(*it)];
    const bool known = !conflict[static_cast<size_t>(*it)] && before.has_value();
    const bool holds_word = known && before->word == n.word && !before->masked;
    const bool holds_exact = known && *before == state_of(n);
    if (!holds_exact) {
      if (n.masked) rev.push_back(bpf::stmt(bpf::kAlu | bpf::kAnd | bpf::kK, n.mask));
      if (!(n.masked && holds_word)) rev.push_back(bpf::stmt(bpf::kLd | bpf::kW | bpf::kAbs, n.word));
    }
    label[static_cast<size_t>(*it)] = rev.size() - 1;
  }
  return {rev.rbegin(), rev.rend()};
}

}  // namespace polc::backends::seccomp::gen
