// Benchmark support: lower bounds on a seccomp program's cost per call (see filter_bounds.h).
#include "bench/filter_bounds.h"

#include <algorithm>
#include <limits>
#include <set>

#include "backends/seccomp/conformance.h"
#include "compiler/ir/evaluate.h"

namespace polc::bench {

namespace sc = backends::seccomp;

namespace {

constexpr uint32_t kAudit = 0xc000003e;  // AUDIT_ARCH_X86_64

std::vector<arch::Arch> decides_of(const ir::Policy& policy) {
  return arch::family_targets(arch::Arch::x86_64, policy.targets);
}

ir::Action decision(const ir::Policy& policy, std::span<const arch::Arch> decides, uint32_t nr, const Args& args) {
  sc::SeccompData d;
  d.arch = kAudit;
  d.nr = static_cast<int32_t>(nr);
  d.args = args;
  return sc::expected_action(policy, decides, d);
}

// The rules ir::decide reads for x86_64's audit value and `nr`, or empty.
std::vector<const ir::SyscallRule*> rules_of(const ir::Policy& policy, std::span<const arch::Arch> decides,
                                             uint32_t nr) {
  std::vector<const ir::SyscallRule*> out;
  const auto target = ir::call_target(decides, kAudit, static_cast<int32_t>(nr));
  if (!target) return out;
  for (const ir::ArchFilter& f : policy.syscalls.arches)
    if (f.arch == *target)
      for (const ir::SyscallRule& r : f.rules)
        if (r.nr == static_cast<int32_t>(nr)) out.push_back(&r);
  return out;
}

bool unconditional(const std::vector<const ir::SyscallRule*>& rules) {
  return std::all_of(rules.begin(), rules.end(),
                     [](const ir::SyscallRule* r) { return r->when.size() == 1 && r->when[0].empty(); });
}

void balanced(size_t lo, size_t hi, unsigned depth, std::vector<unsigned>& out) {
  if (hi - lo == 1) {
    out[lo] = depth;
    return;
  }
  const size_t mid = lo + (hi - lo + 1) / 2;
  balanced(lo, mid, depth + 1, out);
  balanced(mid, hi, depth + 1, out);
}

}  // namespace

std::vector<unsigned> balanced_depths(size_t n) {
  std::vector<unsigned> out(n, 0);
  if (n > 0) balanced(0, n, 0, out);
  return out;
}

std::vector<unsigned> optimal_alphabetic_depths(std::span<const double> w) {
  const size_t n = w.size();
  std::vector<unsigned> depth(n, 0);
  if (n <= 1) return depth;
  // cost[i][j], root[i][j] over leaves i..j; Knuth's bound root[i][j-1] <= root[i][j] <= root[i+1][j].
  std::vector<double> prefix(n + 1, 0);
  for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + w[i];
  std::vector<std::vector<double>> cost(n, std::vector<double>(n, 0));
  std::vector<std::vector<size_t>> root(n, std::vector<size_t>(n, 0));  // split: left = i..k, right = k+1..j
  for (size_t i = 0; i + 1 < n; ++i) {
    cost[i][i + 1] = w[i] + w[i + 1];
    root[i][i + 1] = i;
  }
  for (size_t len = 3; len <= n; ++len)
    for (size_t i = 0; i + len <= n; ++i) {
      const size_t j = i + len - 1;
      double best = std::numeric_limits<double>::infinity();
      size_t best_k = i;
      for (size_t k = root[i][j - 1]; k <= std::min(root[i + 1][j], j - 1); ++k) {
        const double c = (k > i ? cost[i][k] : 0) + (k + 1 < j ? cost[k + 1][j] : 0);
        if (c < best) best = c, best_k = k;
      }
      cost[i][j] = best + prefix[j + 1] - prefix[i];
      root[i][j] = best_k;
    }
  struct Span {
    size_t i, j;
    unsigned d;
  };
  std::vector<Span> todo = {{0, n - 1, 0}};
  while (!todo.empty()) {
    const Span s = todo.back();
    todo.pop_back();
    if (s.i == s.j) {
      depth[s.i] = s.d;
      continue;
    }
    const size_t k = root[s.i][s.j];
    todo.push_back({s.i, k, s.d + 1});
    todo.push_back({k + 1, s.j, s.d + 1});
  }
  return depth;
}

std::vector<NumberRange> number_ranges(const ir::Policy& policy) {
  const std::vector<arch::Arch> decides = decides_of(policy);
  std::set<uint64_t> cuts = {0, arch::kX32SyscallBit, 0xffffffffull, 0x100000000ull};
  for (const ir::ArchFilter& f : policy.syscalls.arches)
    if (arch::audit_arch(f.arch) == kAudit)
      for (const ir::SyscallRule& r : f.rules) {
        cuts.insert(static_cast<uint32_t>(r.nr));
        cuts.insert(uint64_t{static_cast<uint32_t>(r.nr)} + 1);
      }
  std::vector<NumberRange> out;
  ir::Action last{};
  for (auto it = cuts.begin(); std::next(it) != cuts.end(); ++it) {
    const uint32_t lo = static_cast<uint32_t>(*it), hi = static_cast<uint32_t>(*std::next(it) - 1);
    const bool depends = !unconditional(rules_of(policy, decides, lo));
    const ir::Action a = decision(policy, decides, lo, Args{});
    if (!depends && !out.empty() && !out.back().depends && a == last) {
      out.back().hi = hi;
    } else {
      out.push_back({lo, hi, depends});
    }
    last = a;
  }
  return out;
}

LowerBound::LowerBound(const ir::Policy& policy, std::span<const double> weights)
    : policy_(policy), decides_(decides_of(policy)), ranges_(number_ranges(policy)) {
  depth_ = weights.empty() ? balanced_depths(ranges_.size()) : optimal_alphabetic_depths(weights);
  for (const NumberRange& r : ranges_) {
    if (!r.depends) continue;
    const auto rules = rules_of(policy_, decides_, r.lo);
    ArgModel m;
    // One argument with plain comparisons: the pieces of its values with one decision.
    std::set<int> args;
    bool plain = true;
    std::set<uint64_t> starts = {0};
    for (const ir::SyscallRule* rule : rules)
      for (const ir::Clause& c : rule->when)
        for (const ir::ArgCmp& cmp : c) {
          args.insert(cmp.arg);
          m.width = std::min<unsigned>(m.width, cmp.width);
          if (cmp.op == ir::CmpOp::MaskedEq || cmp.op == ir::CmpOp::MaskedNe || c.size() != 1) plain = false;
          starts.insert(cmp.value);
          if (cmp.value != arch::width_mask(cmp.width)) starts.insert(cmp.value + 1);
        }
    if (plain && args.size() == 1) {
      m.arg = *args.begin();
      ir::Action prev{};
      for (uint64_t v : starts) {
        Args a{};
        a[static_cast<size_t>(m.arg)] = v;
        const ir::Action d = decision(policy_, decides_, r.lo, a);
        if (m.starts.empty() || !(d == prev)) m.starts.push_back(v);
        prev = d;
      }
      m.depth = balanced_depths(m.starts.size());
    }
    args_.emplace(static_cast<int>(r.lo), std::move(m));
  }
}

size_t LowerBound::range_of(uint32_t nr) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), nr,
                             [](uint32_t n, const NumberRange& r) { return n < r.lo; });
  return static_cast<size_t>(it - ranges_.begin()) - 1;
}

sc::RunResult LowerBound::run(int nr, const Args& args) const {
  sc::RunResult r;
  r.ret = sc::ret_value(decision(policy_, decides_, static_cast<uint32_t>(nr), args));
  const size_t i = range_of(static_cast<uint32_t>(nr));
  r.executed = 3 + depth_[i] + 1;
  if (ranges_[i].depends) {
    const ArgModel& m = args_.at(nr);
    if (m.arg < 0) {
      r.executed += 2;  // at least one argument load and one comparison
    } else {
      const uint64_t v = args[static_cast<size_t>(m.arg)] & arch::width_mask(m.width);
      auto it = std::upper_bound(m.starts.begin(), m.starts.end(), v);
      r.executed += 1 + m.depth[static_cast<size_t>(it - m.starts.begin()) - 1];
    }
  }
  return r;
}

sc::CacheVerdict LowerBound::cache(int nr) const {
  if (ranges_[range_of(static_cast<uint32_t>(nr))].depends) return sc::CacheVerdict::Depends;
  return decision(policy_, decides_, static_cast<uint32_t>(nr), Args{}).kind == ir::ActionKind::Allow
             ? sc::CacheVerdict::AlwaysAllow
             : sc::CacheVerdict::NotAllow;
}

}  // namespace polc::bench
