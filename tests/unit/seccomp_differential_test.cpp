// Differential tests of the seccomp backend: every program polc emits, for every example and every
// standard module, is run in the BPF interpreter and compared with the IR evaluator on every
// syscall number of every target (and of the other arches, which must be killed), with argument
// values at the edges of every condition and random ones. Also unit tests of the set algebra the
// partition relies on, checked against brute force.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "backends/seccomp/arg_sets.h"
#include "backends/seccomp/conformance.h"
#include "backends/seccomp/emit.h"
#include "backends/seccomp/intervals.h"
#include "compiler/ir/evaluate.h"
#include "tests/unit/test_support.h"

namespace polc {
namespace {

using backends::seccomp::Args;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Random register values of the shapes that matter: anything, small numbers, 32-bit values
// zero- and sign-extended, and garbage above a small value.
std::vector<Args> random_args(uint64_t seed, size_t n) {
  std::mt19937_64 rng(seed);
  auto value = [&]() -> uint64_t {
    switch (rng() % 5) {
      case 0: return rng();
      case 1: return rng() % 64;
      case 2: return rng() & 0xffffffff;
      case 3: return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(rng())));
      default: return (rng() << 32) | (rng() % 0x10000);
    }
  };
  std::vector<Args> out(n);
  for (Args& a : out)
    for (uint64_t& v : a) v = value();
  return out;
}

std::vector<uint32_t> all_audits() {
  std::vector<uint32_t> out;
  for (arch::Arch a : arch::kAllArches) out.push_back(arch::audit_arch(a));
  out.push_back(0xc0000015);  // ppc64le: never a target
  return out;
}

// Builds the policy and checks every program it yields; returns how many programs were checked.
size_t check_all_programs(const std::string& name, const std::string& source, uint64_t seed) {
  auto c = test::compile(source);
  INFO(name);
  REQUIRE_MESSAGE(c->policy, "the policy does not compile");
  auto artifacts = backends::seccomp::emit(*c->policy, c->engine);
  REQUIRE_MESSAGE(artifacts, "the backend refused the policy");
  const auto extra = random_args(seed, 48);
  const auto audits = all_audits();
  for (const auto& p : artifacts->programs) {
    INFO("program for " << arch::name(p.arch));
    const auto mismatch =
        backends::seccomp::check_program(p.insns, arch::big_endian(p.arch), *c->policy, p.decides, audits, extra);
    CHECK_MESSAGE(!mismatch, (mismatch ? mismatch->describe() : ""));
  }
  return artifacts->programs.size();
}

TEST_CASE("every example's programs decide every call exactly as the policy") {
  size_t programs = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/examples"))
    if (e.path().extension() == ".sbx") {
      // Examples import the standard library, which the in-memory compile resolves too.
      programs += check_all_programs(e.path().filename().string(), read(e.path()), programs + 1);
    }
  CHECK(programs >= 8);  // four examples, two targets each
}

TEST_CASE("every standard module's rules compile exactly on every target polc builds here") {
  // x86 is built separately: libseccomp cannot filter the arguments of its socket calls, which
  // std.lang.* conditions (E0601, tested as a golden case). s390x programs are checked too where
  // libseccomp encodes them correctly from this little-endian host.
  const std::vector<std::string> modules = {"groups", "runtime.glibc", "hardening", "net", "lang.python", "lang.node"};
  for (const std::string& m : modules) {
    for (const std::string targets : {"x86_64, x32, aarch64, arm, riscv64", "x86"}) {
      if (targets == "x86" && (m == "lang.python" || m == "lang.node")) continue;
      const std::string src = "policy w version 1 {\n  targets " + targets + "\n  import std." + m +
                              "\n  syscalls {\n    default errno(EPERM)\n  }\n}\n";
      check_all_programs("std." + m + " on " + targets, src, 7);
    }
  }
}

TEST_CASE("overlapping rules: the most restrictive action wins, in the emitted program too") {
  const std::string src = test::policy_with(R"(
  syscalls {
    default errno(EPERM)
    allow write, read, close
    deny write(fd == 2) errno(EBADF)
    kill write(fd > 1000)
    trap close(fd < 3)
    log read(count & 0xfff == 0)
    allow ioctl(request in {TCGETS, TIOCSTI})
    kill ioctl(request == TIOCSTI)
    allow clone
    kill clone(flags & CLONE_NEWUSER != 0)
    errno(ENOSYS) clone(flags & CLONE_NEWNET != 0)
  })",
                                            "x86_64, aarch64");
  CHECK(check_all_programs("overlaps", src, 11) == 2);
}

TEST_CASE("arg sets: from_comparison, intersect and subtract agree with brute force on small widths") {
  // 8-bit arguments in an 8-bit comparison space: every value can be enumerated.
  const backends::seccomp::CmpSpace space{8};
  std::mt19937_64 rng(3);
  const ir::CmpOp ops[] = {ir::CmpOp::Eq, ir::CmpOp::Ne, ir::CmpOp::Lt,       ir::CmpOp::Le,
                           ir::CmpOp::Gt, ir::CmpOp::Ge, ir::CmpOp::MaskedEq, ir::CmpOp::MaskedNe};
  auto random_cmp = [&]() {
    ir::ArgCmp c;
    c.width = (rng() % 2) ? 8 : 4;
    c.op = ops[rng() % 8];
    const uint64_t w = (uint64_t{1} << c.width) - 1;
    c.mask = rng() & w;
    c.value = rng() & w;
    if (c.op == ir::CmpOp::MaskedEq || c.op == ir::CmpOp::MaskedNe) c.value &= c.mask;
    return c;
  };
  for (int i = 0; i < 3000; ++i) {
    const ir::ArgCmp a = random_cmp(), b = random_cmp();
    const auto sa = backends::seccomp::from_comparison(a, space), sb = backends::seccomp::from_comparison(b, space);
    REQUIRE(sa);
    REQUIRE(sb);
    const auto both = backends::seccomp::intersect(*sa, *sb, space);
    const auto diff = backends::seccomp::subtract(*sa, *sb, space);
    for (uint64_t x = 0; x < 256; ++x) {
      const bool in_a = ir::holds(a, x), in_b = ir::holds(b, x);
      REQUIRE(backends::seccomp::contains(*sa, x) == in_a);
      REQUIRE(backends::seccomp::contains(both, x) == (in_a && in_b));
      REQUIRE(backends::seccomp::contains(diff, x) == (in_a && !in_b));
    }
  }
}

TEST_CASE("interval sets: unite, intersect and subtract agree with brute force") {
  std::mt19937_64 rng(5);
  auto random_set = [&]() {
    backends::seccomp::Intervals s;
    for (int k = rng() % 4; k > 0; --k) {
      uint64_t lo = rng() % 64, hi = rng() % 64;
      if (lo > hi) std::swap(lo, hi);
      s = backends::seccomp::unite(std::move(s), {{lo, hi}});
    }
    return s;
  };
  auto in = [](const backends::seccomp::Intervals& s, uint64_t x) {
    for (const auto& [lo, hi] : s)
      if (lo <= x && x <= hi) return true;
    return false;
  };
  for (int i = 0; i < 2000; ++i) {
    const auto a = random_set(), b = random_set();
    const auto u = backends::seccomp::unite(a, b), n = backends::seccomp::intersect(a, b),
               d = backends::seccomp::subtract(a, b);
    for (uint64_t x = 0; x < 66; ++x) {
      REQUIRE(in(u, x) == (in(a, x) || in(b, x)));
      REQUIRE(in(n, x) == (in(a, x) && in(b, x)));
      REQUIRE(in(d, x) == (in(a, x) && !in(b, x)));
    }
  }
}

}  // namespace
}  // namespace polc

namespace polc {
namespace {

// Shapes that libseccomp 2.5.4 miscompiled (a 64-bit `>=` test reused while the accumulator held
// another argument), looped forever on (rules sharing a `!=` and continuing with different
// arguments), or that the self-check once refused wrongly (x32 alone). polc now spells
// multi-argument syscalls with masked equalities only; these must build and be exact.
TEST_CASE("regressions: libseccomp miscompiles and hangs are avoided, and the result is exact") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"stale accumulator, permissive", R"(
  syscalls {
    default kill
    allow exit_group, write
    allow mmap(length > 0x100000000)
    errno(EPERM) mmap(length <= 0x100000000, fd == 3)
  })"},
      {"stale accumulator, aarch64", R"(
  syscalls {
    default kill
    errno(1) write(buf <= 0x100000000, count == 0)
    allow write(buf > 0x100000000)
  })"},
      {"stale accumulator, restrictive", R"(
  syscalls {
    default allow
    kill mmap(length > 0x100000000)
    errno(1) mmap(length <= 0x100000000, fd == 3)
  })"},
      {"masked != beside ==", R"(
  syscalls {
    errno(13) mmap(prot & 0xf != 0xf)
    kill_thread mmap(offset == 0x2)
  })"},
      {"shared != prefix (libseccomp hang)", R"(
  syscalls {
    default errno(EPERM)
    trap mmap(addr != 5, (flags in {1, 2} || offset == 3))
  })"},
      {"largest errno", R"(
  syscalls {
    default errno(4094)
    allow read
  })"},
  };
  for (const auto& [name, body] : cases)
    CHECK(check_all_programs(name, test::policy_with(body, "x86_64, aarch64"), 13) == 2);
  CHECK(check_all_programs("x32 alone",
                           test::policy_with("  syscalls {\n    default errno(EPERM)\n    allow read\n  }", "x32"),
                           17) == 1);
}

}  // namespace
}  // namespace polc
