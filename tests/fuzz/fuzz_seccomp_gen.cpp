// libFuzzer target over polc's seccomp generator (backends/seccomp/gen): the input bytes become a
// random policy (tests/fuzz/random_policy.h: per-syscall rules with random comparisons, widths,
// sets and actions, for a random arch and part of its family), the generator makes the program of
// that arch, and the program must load (validate) and decide every probed call exactly as
// ir::decide does: every number near one the policy names, the x32 split and int range ends, a
// stride over the rest, and the argument edges of every condition (probe_args). Any disagreement,
// a refusal that is not E0601's 64-bit comparison on a 32-bit filter, or a number that the
// kernel's action cache would hold as allowed while the program denies some call of it, aborts.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <span>
#include <vector>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/conformance.h"
#include "backends/seccomp/gen/generate.h"
#include "compiler/ir/evaluate.h"
#include "tests/fuzz/random_policy.h"

namespace {

namespace sc = polc::backends::seccomp;
using namespace polc;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_seccomp_gen: %s: %s\n", what, detail.c_str());
  std::abort();
}

std::vector<int32_t> numbers(const ir::Policy& p, std::span<const arch::Arch> decides) {
  std::set<int32_t> out = {-2, -1, 0, 1, INT32_MIN, INT32_MAX, 0x3fffffff, 0x40000000, 0x40000001, 0xf0000};
  for (int32_t n = 0; n < 1100; n += 37) out.insert(n);
  for (const ir::ArchFilter& f : p.syscalls.arches)
    if (std::find(decides.begin(), decides.end(), f.arch) != decides.end())
      for (const ir::SyscallRule& r : f.rules)
        for (int32_t d = -1; d <= 1; ++d) out.insert(r.nr + d);
  return {out.begin(), out.end()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  test::ByteSource in({data, size});
  const arch::Arch a = arch::kAllArches[in.below(arch::kAllArches.size())];
  const ir::Policy p = test::random_policy(in, test::random_family(in, a));
  const std::vector<arch::Arch> decides = arch::family_targets(a, p.targets);
  const sc::gen::Result r = sc::gen::generate(p, decides, sc::gen::Options{});
  if (!r.error.empty()) {
    if (test::too_wide(p, decides)) return 0;
    fail("the generator refused a policy", r.error);
  }
  if (auto invalid = sc::validate(r.insns)) fail("the program would not load", *invalid);
  const bool big = arch::big_endian(a);
  std::set<uint32_t> audits = {0xc0000015};  // ppc64le: never a target
  for (arch::Arch x : arch::kAllArches) audits.insert(arch::audit_arch(x));
  for (uint32_t audit : audits)
    for (int32_t nr : numbers(p, decides)) {
      std::vector<sc::Args> args = {sc::Args{}};
      if (auto target = ir::call_target(decides, audit, nr))
        for (const ir::ArchFilter& f : p.syscalls.arches)
          if (f.arch == *target) {
            std::vector<ir::SyscallRule> rules;
            for (const ir::SyscallRule& rule : f.rules)
              if (rule.nr == nr) rules.push_back(rule);
            if (!rules.empty()) args = sc::probe_args(rules);
          }
      // Thinned evenly above 500 vectors per number: pairs of edges on several arguments can reach
      // 40,000, which would make each input take seconds under ASan.
      if (args.size() > 500) {
        std::vector<sc::Args> thinned;
        for (size_t i = 0; i < args.size(); i += args.size() / 500 + 1) thinned.push_back(args[i]);
        args = std::move(thinned);
      }
      const bool cached = sc::const_action(r.insns, audit, nr, big) == sc::CacheVerdict::AlwaysAllow;
      for (const sc::Args& x : args) {
        sc::SeccompData d;
        d.nr = nr;
        d.arch = audit;
        d.args = x;
        const ir::Action expected = sc::expected_action(p, decides, d);
        const sc::RunResult run = sc::run(r.insns, d, big);
        if (run.fault) fail("the program faults", run.fault);
        const ir::Action actual = sc::decode_ret(run.ret);
        if (!(actual == expected)) fail("the program disagrees with ir::decide", sc::Mismatch{d, expected, actual}.describe());
        if (cached && actual.kind != ir::ActionKind::Allow)
          fail("cache-eligible, but not always allowed", sc::Mismatch{d, expected, actual}.describe());
      }
    }
  return 0;
}
