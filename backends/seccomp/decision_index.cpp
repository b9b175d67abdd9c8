// Stage: backends/seccomp. Indexed evaluation of one syscall's rules (see decision_index.h).
#include "backends/seccomp/decision_index.h"

#include <map>
#include <set>

#include "compiler/arch/arch.h"
#include "compiler/ir/evaluate.h"

namespace polc::backends::seccomp {

namespace {

uint64_t low_bits(uint64_t reg, unsigned width) { return reg & arch::width_mask(width); }

}  // namespace

DecisionIndex::DecisionIndex(std::span<const ir::SyscallRule> rules, const ir::Action& default_action)
    : rules_(rules), default_(default_action) {
  // A clause is filed under its equality whose (argument, width) takes the most distinct values
  // across the syscall's clauses: `request == N` rather than `fd == N % 7`.
  std::map<std::pair<uint8_t, uint8_t>, std::set<uint64_t>> values;
  for (const ir::SyscallRule& r : rules)
    for (const ir::Clause& clause : r.when)
      for (const ir::ArgCmp& c : clause)
        if (c.op == ir::CmpOp::Eq && c.arg < 6) values[{c.arg, c.width}].insert(c.value);
  for (size_t r = 0; r < rules.size(); ++r)
    for (const ir::Clause& clause : rules[r].when) {
      const size_t id = clauses_.size();
      clauses_.push_back({&clause, r});
      const ir::ArgCmp* eq = nullptr;
      for (const ir::ArgCmp& c : clause)
        if (c.op == ir::CmpOp::Eq && c.arg < 6 &&
            (!eq || values[{c.arg, c.width}].size() > values[{eq->arg, eq->width}].size()))
          eq = &c;
      if (!eq) {
        unfiled_.push_back(id);
        continue;
      }
      Bucket* bucket = nullptr;
      for (Bucket& b : buckets_)
        if (b.arg == eq->arg && b.width == eq->width) bucket = &b;
      if (!bucket) bucket = &buckets_.emplace_back(Bucket{eq->arg, eq->width, {}});
      bucket->by_value[eq->value].push_back(id);
    }
}

ir::Action DecisionIndex::decide(const std::array<uint64_t, 6>& args) const {
  bool any = false;
  ir::Action out = default_;
  // Every candidate is still decided by ir::holds itself; the index only skips clauses whose
  // filing equality cannot hold.
  auto consider = [&](size_t id) {
    const Clause& c = clauses_[id];
    const ir::Action& a = rules_[c.rule].action;
    if (any && !ir::more_restrictive(a, out)) return;  // cannot change the winner
    if (!ir::holds(*c.clause, args)) return;
    out = a;
    any = true;
  };
  for (size_t id : unfiled_) consider(id);
  for (const Bucket& b : buckets_) {
    auto it = b.by_value.find(low_bits(args[b.arg], b.width));
    if (it != b.by_value.end())
      for (size_t id : it->second) consider(id);
  }
  return out;
}

}  // namespace polc::backends::seccomp
