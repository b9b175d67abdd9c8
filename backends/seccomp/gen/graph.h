// Stage: backends/seccomp (polc's code generator). A seccomp program before layout: a DAG of
// tests (load a 32-bit word of seccomp_data, optionally mask it, compare it with a constant) and
// returns. Building the DAG is where the decisions are made; lay_out() turns it into classic BPF,
// all jumps forward, loads skipped where the accumulator already holds the word, and every jump
// within its 8-bit offset (nearby copies of returns, `ja` trampolines for anything else).
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "backends/seccomp/bpf_program.h"

namespace polc::backends::seccomp::gen {

using NodeId = int;

struct Node {
  bool is_ret = false;
  uint32_t ret = 0;  // is_ret: the return value
  // A test: A = word [& mask]; jump `op` (bpf::kJeq, kJgt, kJge, kJset) against k.
  uint32_t word = 0;  // offset in seccomp_data
  bool masked = false;
  uint32_t mask = 0;
  uint16_t op = bpf::kJeq;
  uint32_t k = 0;
  NodeId on_true = -1, on_false = -1;
  bool true_first = false;  // lay the true branch out first (the arch dispatch: the own arch's tree)
};

// Nodes are only ever added, each after its successors: ids are a topological order (successors
// have smaller ids). Equal nodes are shared (hash-consing), so equal subprograms are emitted once.
class Graph {
 public:
  NodeId ret(uint32_t value);
  // A test; returns on_true when both branches are the same node (the test decides nothing).
  NodeId test(uint32_t word, uint16_t op, uint32_t k, NodeId on_true, NodeId on_false);
  NodeId masked_test(uint32_t word, uint32_t mask, uint16_t op, uint32_t k, NodeId on_true, NodeId on_false);
  NodeId add(const Node& n);

  const Node& operator[](NodeId id) const { return nodes_[static_cast<size_t>(id)]; }
  Node& at(NodeId id) { return nodes_[static_cast<size_t>(id)]; }
  size_t size() const { return nodes_.size(); }

  // Instructions the tests reachable from `root` take (loads counted), returns not counted: the
  // part of a program a subprogram is responsible for (E0602's accounting).
  size_t test_cost(NodeId root) const;
  // The most instructions a path from `root` can execute, its return included, when the
  // accumulator holds none of the words it loads on entry (a return alone: 1).
  size_t longest(NodeId root);

 private:
  using Key = std::tuple<bool, uint32_t, uint32_t, bool, uint32_t, uint16_t, uint32_t, NodeId, NodeId, bool>;
  std::vector<Node> nodes_;
  std::map<Key, NodeId> index_;
  std::vector<size_t> longest_;  // memo of the path below each test's own loads (0: not yet)
};

// The program starting at `root`. Nothing is assumed about the accumulator at entry.
std::vector<Insn> lay_out(const Graph& graph, NodeId root);

}  // namespace polc::backends::seccomp::gen
