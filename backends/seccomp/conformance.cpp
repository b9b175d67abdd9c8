// Stage: backends/seccomp. Program-versus-policy conformance checks (see conformance.h).
#include "backends/seccomp/conformance.h"

#include <algorithm>
#include <cstdio>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/decision_index.h"
#include "compiler/arch/arch.h"
#include "compiler/ir/evaluate.h"

namespace polc::backends::seccomp {

namespace {

// Sorted, without repeats: what a std::set would hold, built in one sort instead of a tree insert
// per value (a set of 10,000 request values pushes some 200,000 candidates).
template <class T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// Values on both sides of a comparison's constant, at its width, plus the same with the upper half
// of the register set (what a caller can pass and the kernel ignores for 32-bit arguments).
void edge_values(const ir::ArgCmp& c, std::vector<uint64_t>& out) {
  const uint64_t m = arch::width_mask(c.width);
  const uint64_t plain[] = {c.value, c.value - 1, c.value + 1, 0, m, m >> 1, (m >> 1) + 1};
  auto add = [&](uint64_t v) {
    out.push_back(v & m);
    out.push_back((v & m) | ~m);                         // garbage above the width
    out.push_back((v & m) | (~m & 0xffffffff00000000));  // sign-extension shape
  };
  for (uint64_t v : plain) add(v);
  if (c.op == ir::CmpOp::MaskedEq || c.op == ir::CmpOp::MaskedNe) {
    add(c.value | (~c.mask & m));
    for (unsigned b = 0; b < c.width; ++b)
      if (c.mask & (uint64_t{1} << b)) add(c.value ^ (uint64_t{1} << b));
  }
}

// A value satisfying every comparison of `clause` on `arg`, from the candidates (sorted, the
// smallest that fits wins); nullopt if none.
std::optional<uint64_t> satisfying(const ir::Clause& clause, uint8_t arg, const std::vector<uint64_t>& candidates) {
  for (uint64_t v : candidates) {
    bool ok = true;
    for (const ir::ArgCmp& c : clause)
      if (c.arg == arg && !ir::holds(c, v)) ok = false;
    if (ok) return v;
  }
  return std::nullopt;
}

}  // namespace

std::vector<Args> probe_args(std::span<const ir::SyscallRule> rules) {
  // Every edge value alone (the other arguments 0), pairs of edge values, and for every clause one
  // vector satisfying it with each of its own edges pushed in turn.
  std::array<std::vector<uint64_t>, 6> values;
  for (const ir::SyscallRule& r : rules)
    for (const ir::Clause& clause : r.when)
      for (const ir::ArgCmp& c : clause) edge_values(c, values[c.arg]);
  for (auto& v : values) sort_unique(v);
  std::vector<Args> out = {Args{}};
  for (uint8_t a = 0; a < 6; ++a)
    for (uint64_t v : values[a]) {
      Args x{};
      x[a] = v;
      out.push_back(x);
    }
  // Every pair of edge values of two different arguments: miscompiles seen in libseccomp show only
  // when two arguments sit at their edges at once. Capped (evenly thinned) to stay fast.
  constexpr size_t kMaxPairs = 40000;
  size_t pairs = 0;
  for (uint8_t a = 0; a < 6; ++a)
    for (uint8_t b = a + 1; b < 6; ++b) pairs += values[a].size() * values[b].size();
  const size_t stride = pairs > kMaxPairs ? pairs / kMaxPairs + 1 : 1;
  size_t k = 0;
  for (uint8_t a = 0; a < 6; ++a)
    for (uint8_t b = a + 1; b < 6; ++b)
      for (uint64_t va : values[a])
        for (uint64_t vb : values[b])
          if (k++ % stride == 0) {
            Args x{};
            x[a] = va;
            x[b] = vb;
            out.push_back(x);
          }
  std::array<std::vector<uint64_t>, 6> own;
  for (const ir::SyscallRule& r : rules)
    for (const ir::Clause& clause : r.when) {
      for (auto& v : own) v.clear();
      for (const ir::ArgCmp& c : clause) edge_values(c, own[c.arg]);
      for (auto& v : own) sort_unique(v);
      Args base{};
      bool ok = true;
      for (uint8_t a = 0; a < 6 && ok; ++a) {
        if (own[a].empty()) continue;
        auto v = satisfying(clause, a, own[a]);
        if (!v) v = satisfying(clause, a, values[a]);
        if (!v) ok = false;
        else base[a] = *v;
      }
      if (!ok) continue;
      out.push_back(base);
      for (uint8_t a = 0; a < 6; ++a)
        for (uint64_t v : own[a]) {
          Args x = base;
          x[a] = v;
          out.push_back(x);
        }
    }
  sort_unique(out);
  return out;
}

std::vector<int32_t> probe_numbers(arch::Arch a, const ir::Policy& policy) {
  std::vector<int32_t> out;
  const int32_t base = a == arch::Arch::x32 ? static_cast<int32_t>(arch::kX32SyscallBit) : 0;
  for (int32_t n = -2; n < 1100; ++n) out.push_back(base + n);
  if (a == arch::Arch::arm)
    for (int32_t n = 0xf0000; n < 0xf0010; ++n) out.push_back(n);
  out.push_back(INT32_MIN);
  out.push_back(INT32_MAX);
  for (const ir::ArchFilter& f : policy.syscalls.arches)
    if (f.arch == a)
      for (const ir::SyscallRule& r : f.rules) out.push_back(r.nr);
  sort_unique(out);
  return out;
}

std::string Mismatch::describe() const {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "arch 0x%08x nr %d args (0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx): the policy decides %s, "
                "the program %s",
                data.arch, data.nr, static_cast<unsigned long long>(data.args[0]),
                static_cast<unsigned long long>(data.args[1]), static_cast<unsigned long long>(data.args[2]),
                static_cast<unsigned long long>(data.args[3]), static_cast<unsigned long long>(data.args[4]),
                static_cast<unsigned long long>(data.args[5]), ir::action_text(expected).c_str(),
                ir::action_text(actual).c_str());
  return buf;
}

ir::Action expected_action(const ir::Policy& policy, std::span<const arch::Arch> decides, const SeccompData& d) {
  if (!ir::call_target(decides, d.arch, d.nr)) return {ir::ActionKind::KillProcess, 0};
  return ir::decide(policy, d.arch, d.nr, d.args).action;
}

std::vector<uint32_t> probe_audits() {
  std::vector<uint32_t> out;
  for (arch::Arch a : arch::kAllArches)
    if (std::find(out.begin(), out.end(), arch::audit_arch(a)) == out.end()) out.push_back(arch::audit_arch(a));
  out.push_back(0xc0000015);  // AUDIT_ARCH_PPC64LE: not a polc target
  return out;
}

Probes::Probes(const ir::Policy& policy, std::span<const uint32_t> audit_arches, std::span<const Args> extra_args)
    : policy_(policy) {
  for (uint32_t audit : audit_arches) {
    // Numbers to try: those of every arch that shares this audit value (x86_64 and x32).
    std::vector<int32_t> numbers;
    for (arch::Arch a : arch::kAllArches)
      if (arch::audit_arch(a) == audit)
        for (int32_t n : probe_numbers(a, policy)) numbers.push_back(n);
    if (numbers.empty())
      for (int32_t n = 0; n < 64; ++n) numbers.push_back(n);
    sort_unique(numbers);
    for (int32_t nr : numbers) {
      Number number{audit, nr, args_.size(), 0, {}};
      std::span<const ir::SyscallRule> rules;
      if (auto target = arch::from_audit_arch(audit, nr))
        for (const ir::ArchFilter& f : policy.syscalls.arches) {
          if (f.arch != *target) continue;
          auto lo = std::lower_bound(f.rules.begin(), f.rules.end(), nr,
                                     [](const ir::SyscallRule& r, int32_t n) { return r.nr < n; });
          auto hi = lo;
          while (hi != f.rules.end() && hi->nr == nr) ++hi;
          if (lo == hi) continue;
          rules = {lo, hi};
          // ir::decide reads exactly these rules where the policy's target for the call is f's.
          if (ir::call_target(policy.targets, audit, nr) == f.arch) number.rules = rules;
        }
      if (rules.empty()) args_.push_back(Args{});
      else
        for (const Args& a : probe_args(rules)) args_.push_back(a);
      args_.insert(args_.end(), extra_args.begin(), extra_args.end());
      number.count = args_.size() - number.first;
      numbers_.push_back(number);
    }
  }
  decisions_.resize(args_.size());
}

const ir::Action& Probes::decision(const Number& n, size_t probe) const {
  std::optional<ir::Action>& d = decisions_[probe];
  if (!d) {
    // One index serves every vector of the number: fill them all at once.
    if (!n.rules.empty()) {
      const DecisionIndex index(n.rules, policy_.syscalls.default_action);
      for (size_t i = n.first; i < n.first + n.count; ++i) decisions_[i] = index.decide(args_[i]);
    } else {
      for (size_t i = n.first; i < n.first + n.count; ++i)
        decisions_[i] = ir::decide(policy_, n.audit, n.nr, args_[i]).action;
    }
  }
  return *d;
}

std::optional<Mismatch> Probes::check(std::span<const Insn> program, bool big_endian,
                                      std::span<const arch::Arch> decides) const {
  if (auto err = validate(program)) {
    Mismatch m;
    m.expected = {ir::ActionKind::Allow, 0};
    m.actual = {ir::ActionKind::KillProcess, 0};
    return m;  // an invalid program decides nothing: the kernel would refuse to load it
  }
  static const ir::Action kKill{ir::ActionKind::KillProcess, 0};
  for (const Number& n : numbers_) {
    const bool decided = ir::call_target(decides, n.audit, n.nr).has_value();
    for (size_t i = n.first; i < n.first + n.count; ++i) {
      SeccompData d;
      d.nr = n.nr;
      d.arch = n.audit;
      d.args = args_[i];
      // As expected_action: the policy's decision for a call of a target the program decides,
      // kill_process for every other.
      const ir::Action& expected = decided ? decision(n, i) : kKill;
      const ir::Action actual = decode_ret(run(program, d, big_endian).ret);
      if (!(expected == actual)) return Mismatch{d, expected, actual};
    }
  }
  return std::nullopt;
}

std::optional<Mismatch> check_program(std::span<const Insn> program, bool big_endian, const ir::Policy& policy,
                                      std::span<const arch::Arch> decides, std::span<const uint32_t> audit_arches,
                                      std::span<const Args> extra_args) {
  return Probes(policy, audit_arches, extra_args).check(program, big_endian, decides);
}

}  // namespace polc::backends::seccomp
