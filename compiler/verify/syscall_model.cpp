// Stage: verify. The syscall section as bit-vector formulas (see syscall_model.h).
#include "compiler/verify/syscall_model.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <utility>

namespace polc::verify {

ArgVars make_args(z3::context& ctx, const std::string& prefix) {
  auto arg = [&](int i) { return ctx.bv_const((prefix + "arg" + std::to_string(i)).c_str(), 64); };
  return {arg(0), arg(1), arg(2), arg(3), arg(4), arg(5)};
}

z3::expr holds(const ir::ArgCmp& cmp, const z3::expr& reg) {
  z3::context& ctx = reg.ctx();
  const unsigned w = cmp.width >= 64 ? 64 : cmp.width;
  const z3::expr x = w == 64 ? reg : reg.extract(w - 1, 0);
  const z3::expr v = ctx.bv_val(cmp.value, w);
  switch (cmp.op) {
    case ir::CmpOp::Eq: return x == v;
    case ir::CmpOp::Ne: return x != v;
    case ir::CmpOp::Lt: return z3::ult(x, v);
    case ir::CmpOp::Le: return z3::ule(x, v);
    case ir::CmpOp::Gt: return z3::ugt(x, v);
    case ir::CmpOp::Ge: return z3::uge(x, v);
    case ir::CmpOp::MaskedEq: return (x & ctx.bv_val(cmp.mask, w)) == v;
    case ir::CmpOp::MaskedNe: return (x & ctx.bv_val(cmp.mask, w)) != v;
  }
  return ctx.bool_val(false);
}

z3::expr holds(const ir::Clause& clause, const ArgVars& args) {
  z3::context& ctx = args[0].ctx();
  z3::expr_vector parts(ctx);
  for (const ir::ArgCmp& c : clause) parts.push_back(c.arg < 6 ? holds(c, args[c.arg]) : ctx.bool_val(false));
  return parts.empty() ? ctx.bool_val(true) : z3::mk_and(parts);
}

z3::expr holds(const std::vector<ir::Clause>& when, const ArgVars& args) {
  z3::context& ctx = args[0].ctx();
  z3::expr_vector alternatives(ctx);
  for (const ir::Clause& c : when) alternatives.push_back(holds(c, args));
  return alternatives.empty() ? ctx.bool_val(false) : z3::mk_or(alternatives);
}

z3::expr holds_as_ranges(const std::vector<ir::Clause>& when, const ArgVars& args) {
  z3::context& ctx = args[0].ctx();
  z3::expr_vector alternatives(ctx);
  // (register, width) -> the values an equality clause compares it with, truncated to the width
  // as holds() compares them.
  std::map<std::pair<uint8_t, unsigned>, std::vector<uint64_t>> equalities;
  for (const ir::Clause& c : when) {
    if (c.size() == 1 && c.front().op == ir::CmpOp::Eq && c.front().arg < 6) {
      const unsigned w = c.front().width >= 64 ? 64 : c.front().width;
      const uint64_t v = w == 64 ? c.front().value : c.front().value & ((uint64_t{1} << w) - 1);
      equalities[{c.front().arg, w}].push_back(v);
      continue;
    }
    alternatives.push_back(holds(c, args));
  }
  for (auto& [key, values] : equalities) {
    const auto [arg, w] = key;
    const z3::expr x = w == 64 ? args[arg] : args[arg].extract(w - 1, 0);
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (size_t i = 0; i < values.size();) {
      size_t j = i;
      while (j + 1 < values.size() && values[j + 1] == values[j] + 1) ++j;
      const z3::expr lo = ctx.bv_val(values[i], w);
      if (i == j) alternatives.push_back(x == lo);
      else alternatives.push_back(z3::uge(x, lo) && z3::ule(x, ctx.bv_val(values[j], w)));
      i = j + 1;
    }
  }
  return alternatives.empty() ? ctx.bool_val(false) : z3::mk_or(alternatives);
}

uint32_t rank(const ir::Action& a) { return uint32_t{static_cast<uint8_t>(a.kind)} << 16 | a.data; }

ir::Action action_of_rank(uint32_t r) {
  return {static_cast<ir::ActionKind>(std::min<uint32_t>(r >> 16, static_cast<uint32_t>(ir::ActionKind::Allow))),
          static_cast<uint16_t>(r & 0xffff)};
}

std::span<const ir::SyscallRule> rules_for(const ir::ArchFilter& filter, int nr) {
  auto first = std::lower_bound(filter.rules.begin(), filter.rules.end(), nr,
                                [](const ir::SyscallRule& r, int n) { return r.nr < n; });
  auto last = first;
  while (last != filter.rules.end() && last->nr == nr) ++last;
  return {first, last};
}

z3::expr decision(z3::context& ctx, std::span<const ir::SyscallRule> rules, const ir::Action& default_action,
                  const ArgVars& args, ValueSets sets) {
  // Most restrictive first, so the first rule that holds is the winner: an if-then-else chain.
  std::vector<const ir::SyscallRule*> order;
  for (const ir::SyscallRule& r : rules) order.push_back(&r);
  std::stable_sort(order.begin(), order.end(), [](const ir::SyscallRule* a, const ir::SyscallRule* b) {
    return ir::more_restrictive(a->action, b->action);
  });
  z3::expr out = ctx.bv_val(rank(default_action), 32);
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    out = z3::ite(sets == ValueSets::AsRanges ? holds_as_ranges((*it)->when, args) : holds((*it)->when, args),
                  ctx.bv_val(rank((*it)->action), 32), out);
  return out;
}

std::string describe_args(const std::array<uint64_t, 6>& values, uint8_t read_mask) {
  std::ostringstream s;
  bool first = true;
  for (unsigned i = 0; i < 6; ++i) {
    if (!(read_mask & (1u << i))) continue;
    s << (first ? "" : ", ") << "arg" << i << "=0x" << std::hex << values[i] << std::dec;
    first = false;
  }
  return first ? "any arguments" : s.str();
}

uint8_t args_read(const std::vector<ir::Clause>& when) {
  uint8_t mask = 0;
  for (const ir::Clause& c : when)
    for (const ir::ArgCmp& cmp : c)
      if (cmp.arg < 6) mask |= static_cast<uint8_t>(1u << cmp.arg);
  return mask;
}

uint8_t args_read(std::span<const ir::SyscallRule> rules) {
  uint8_t mask = 0;
  for (const ir::SyscallRule& r : rules) mask |= args_read(r.when);
  return mask;
}

}  // namespace polc::verify
