// Stage: backends/seccomp (polc's code generator). The whole program (see generate.h):
//
//   ld arch; jeq AUDIT_1 -> number search 1; jeq AUDIT_2 -> number search 2; ...; ret kill_process
//
// and for each audit value a search over the syscall number (search_tree.h) whose leaves are
// returns or a syscall's argument tests (conditions.h). x32 is not a separate check: its numbers
// (bit 30 set) are runs of x86_64's number search like any other. The path of a number whose
// decision does not depend on the arguments reads only the arch and the number and ends in a
// return, so the kernel's action cache holds every such allowed number.
#include "backends/seccomp/gen/generate.h"

#include <algorithm>

#include "backends/seccomp/gen/conditions.h"
#include "backends/seccomp/gen/graph.h"
#include "backends/seccomp/gen/search_tree.h"
#include "compiler/ir/evaluate.h"

namespace polc::backends::seccomp::gen {

namespace {

constexpr uint32_t kTop = UINT32_MAX;
// Weights of numbers when no mix is given: a call the policy allows or decides by its arguments
// on the program's own arch, on another arch of its family, and any other call.
constexpr double kOwnAllowed = 1.0;
constexpr double kOtherAllowed = 0.25;
constexpr double kRefused = 0.002;
constexpr double kRun = 0.001;  // every run, so that none is free to push down

const ir::ArchFilter* filter_of(const ir::Policy& policy, arch::Arch a) {
  for (const ir::ArchFilter& f : policy.syscalls.arches)
    if (f.arch == a) return &f;
  return nullptr;
}

std::span<const ir::SyscallRule> rules_for(const ir::ArchFilter& f, uint32_t nr) {
  const auto n = static_cast<int32_t>(nr);
  auto lo = std::lower_bound(f.rules.begin(), f.rules.end(), n, [](const ir::SyscallRule& r, int32_t v) { return r.nr < v; });
  auto hi = lo;
  while (hi != f.rules.end() && hi->nr == n) ++hi;
  return {lo, hi};
}

// The decision when it does not depend on the arguments (every rule holds always or never).
std::optional<ir::Action> constant_decision(std::span<const ir::SyscallRule> rules, const ir::Action& default_action) {
  std::optional<ir::Action> winner;
  for (const ir::SyscallRule& r : rules) {
    if (r.when.empty()) continue;
    if (std::none_of(r.when.begin(), r.when.end(), [](const ir::Clause& c) { return c.empty(); })) return std::nullopt;
    if (!winner || ir::more_restrictive(r.action, *winner)) winner = r.action;
  }
  return winner ? *winner : default_action;
}

ArgLayout layout_of(arch::Arch a) {
  const bool low_only = a == arch::Arch::x86 || a == arch::Arch::arm || a == arch::Arch::x32;
  return {arch::big_endian(a), low_only ? 32u : 64u};
}

// How many numbers of [lo, hi] are syscall numbers a process may really make (each arch's table
// is below 1,024; x32's from bit 30; ARM's private calls): the ones weights count.
uint64_t real_numbers(uint32_t lo, uint32_t hi) {
  auto overlap = [&](uint64_t a, uint64_t b) -> uint64_t {
    const uint64_t l = std::max<uint64_t>(lo, a), h = std::min<uint64_t>(hi, b);
    return l <= h ? h - l + 1 : 0;
  };
  return overlap(0, 1023) + overlap(arch::kX32SyscallBit, arch::kX32SyscallBit + 1023) + overlap(0xf0000, 0xf00ff);
}

struct Subprogram {
  std::string name;
  NodeId node;
};

class Generator {
 public:
  Generator(const ir::Policy& policy, std::span<const arch::Arch> decides, const Options& options)
      : policy_(policy), decides_(decides), options_(options) {}

  Result run() {
    Result out;
    check_widths(out);
    if (!out.failures.empty()) {
      out.error = "a comparison reads more bits than the filter compares";
      return out;
    }
    std::vector<uint32_t> audits;
    for (arch::Arch a : decides_)
      if (std::find(audits.begin(), audits.end(), arch::audit_arch(a)) == audits.end())
        audits.push_back(arch::audit_arch(a));
    NodeId next = g_.ret(kRetKillProcess);
    for (auto it = audits.rbegin(); it != audits.rend(); ++it) {
      Node dispatch;
      dispatch.word = kOffsetArch;
      dispatch.op = bpf::kJeq;
      dispatch.k = *it;
      dispatch.on_true = number_search(*it);
      dispatch.on_false = next;
      dispatch.true_first = true;
      next = g_.add(dispatch);
    }
    out.insns = lay_out(g_, next);
    if (out.insns.size() > bpf::kMaxInsns) {
      Failure f;
      f.kind = Failure::Kind::TooLarge;
      f.length = out.insns.size();
      for (const Subprogram& s : subprograms_) f.costs.emplace_back(s.name, g_.test_cost(s.node));
      std::stable_sort(f.costs.begin(), f.costs.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      out.failures.push_back(std::move(f));
      out.error = "the program has " + std::to_string(out.insns.size()) + " instructions";
    }
    return out;
  }

 private:
  void check_widths(Result& out) const {
    for (arch::Arch a : decides_) {
      const ir::ArchFilter* f = filter_of(policy_, a);
      if (f == nullptr) continue;
      const ArgLayout layout = layout_of(a);
      for (const ir::SyscallRule& r : f->rules) {
        bool bad = false;
        for (const ir::Clause& clause : r.when)
          for (const ir::ArgCmp& c : clause)
            if (!bad && !tested_width(c, layout)) {
              Failure fail;
              fail.kind = Failure::Kind::TooWide;
              fail.rule = &r;
              fail.compared_bits = c.width;
              out.failures.push_back(fail);
              bad = true;
            }
      }
    }
  }

  // A run's weight: every real number in it weighs by its decision and arch, plus, with a
  // recorded mix for the arch, each number's share of the recorded calls.
  double run_weight(const Run& run, std::optional<arch::Arch> t, bool allowed) const {
    const uint64_t real = real_numbers(run.lo, run.hi);
    const auto mix = t ? options_.weights.find(*t) : options_.weights.end();
    const bool mixed = mix != options_.weights.end() && !mix->second.empty();
    double per_number = kRefused;
    if (allowed) per_number = mixed ? 0.05 : t == decides_.front() ? kOwnAllowed : kOtherAllowed;
    else if (mixed) per_number = 0.005;
    double weight = kRun + double(real) * per_number;
    if (mixed && real > 0) {
      double total = 0;
      for (const auto& [n, w] : mix->second) total += w;
      if (total > 0)
        for (auto it = mix->second.lower_bound(run.lo); it != mix->second.end() && it->first <= run.hi; ++it)
          weight += 100.0 * it->second / total;
    }
    return weight;
  }

  NodeId number_search(uint32_t audit) {
    std::vector<uint32_t> starts = {0, arch::kX32SyscallBit, kTop};
    for (arch::Arch a : decides_) {
      if (arch::audit_arch(a) != audit) continue;
      if (const ir::ArchFilter* f = filter_of(policy_, a))
        for (const ir::SyscallRule& r : f->rules) {
          const auto n = static_cast<uint32_t>(r.nr);
          starts.push_back(n);
          if (n != kTop) starts.push_back(n + 1);
        }
    }
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    const NodeId kill = g_.ret(kRetKillProcess);
    const NodeId otherwise = g_.ret(ret_value(policy_.syscalls.default_action));
    std::vector<Run> runs;
    for (size_t i = 0; i < starts.size(); ++i) {
      Run run;
      run.lo = starts[i];
      run.hi = i + 1 < starts.size() ? starts[i + 1] - 1 : kTop;
      run.node = kill;
      const std::optional<arch::Arch> target = ir::call_target(decides_, audit, static_cast<int32_t>(run.lo));
      const ir::ArchFilter* f = target ? filter_of(policy_, *target) : nullptr;
      bool allowed = false;
      if (f != nullptr) {
        run.node = otherwise;
        allowed = policy_.syscalls.default_action.kind == ir::ActionKind::Allow;
        const std::span<const ir::SyscallRule> rules = run.lo == run.hi ? rules_for(*f, run.lo) : std::span<const ir::SyscallRule>{};
        if (!rules.empty()) {
          if (auto d = constant_decision(rules, policy_.syscalls.default_action)) {
            run.node = g_.ret(ret_value(*d));
            allowed = d->kind == ir::ActionKind::Allow;
          } else {
            run.node = syscall_program(g_, rules, policy_.syscalls.default_action, layout_of(*target));
            run.extra = static_cast<unsigned>(g_.longest(run.node) - 1);
            subprograms_.push_back({"`" + rules.front().syscall + "` on " + std::string(arch::name(*target)), run.node});
            allowed = true;
          }
        }
      }
      run.weight = run_weight(run, target, allowed);
      runs.push_back(run);
    }
    return search(g_, kOffsetNr, std::move(runs));
  }

  const ir::Policy& policy_;
  std::span<const arch::Arch> decides_;
  const Options& options_;
  Graph g_;
  std::vector<Subprogram> subprograms_;
};

}  // namespace

Result generate(const ir::Policy& policy, std::span<const arch::Arch> decides, const Options& options) {
  return Generator(policy, decides, options).run();
}

}  // namespace polc::backends::seccomp::gen
