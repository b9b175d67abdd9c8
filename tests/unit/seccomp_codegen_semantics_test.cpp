// polc's own seccomp code generator (backends/seccomp/gen/): what its programs decide. Every
// program is run in the BPF interpreter and compared with the IR evaluator (check_program) on
// every syscall number of every arch, the argument edges of every condition and random values;
// the kernel's action cache must hold every number the policy allows unconditionally.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/conformance.h"
#include "backends/seccomp/gen/generate.h"
#include "compiler/ir/evaluate.h"
#include "tests/unit/test_support.h"

namespace polc {
namespace {

namespace sc = backends::seccomp;
using sc::Args;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<uint32_t> all_audits() {
  std::vector<uint32_t> out;
  for (arch::Arch a : arch::kAllArches) out.push_back(arch::audit_arch(a));
  out.push_back(0xc0000015);  // ppc64le: never a target
  return out;
}

// Values at the edges of the 32-bit halves, in every argument, plus random ones.
std::vector<Args> edge_and_random_args(uint64_t seed) {
  const uint64_t edges[] = {0,           1,           0x7fffffff,  0x80000000,         0xfffffffe,
                            0xffffffff,  0x100000000, 0x100000001, 0x1ffffffff,        0xffffffff00000000,
                            0xfffffffeffffffff, 0xffffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff};
  std::vector<Args> out;
  for (size_t a = 0; a < 6; ++a)
    for (uint64_t v : edges) {
      Args x{};
      x[a] = v;
      out.push_back(x);
    }
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 32; ++i) {
    Args x{};
    for (uint64_t& v : x) v = rng() % 3 == 0 ? rng() : rng() % 0x10000;
    out.push_back(x);
  }
  return out;
}

// Generates every program of the policy with polc's generator and checks each one; returns the
// programs.
std::vector<std::pair<arch::Arch, std::vector<sc::Insn>>> check_generated(const ir::Policy& policy, uint64_t seed) {
  std::vector<std::pair<arch::Arch, std::vector<sc::Insn>>> out;
  const auto extra = edge_and_random_args(seed);
  for (const ir::ArchFilter& f : policy.syscalls.arches) {
    INFO("program for " << arch::name(f.arch));
    const std::vector<arch::Arch> decides = arch::family_targets(f.arch, policy.targets);
    const sc::gen::Result r = sc::gen::generate(policy, decides, {});
    REQUIRE_MESSAGE(r.error.empty(), r.error);
    const auto invalid = sc::validate(r.insns);
    REQUIRE_MESSAGE(!invalid, invalid.value_or(""));
    const auto mismatch = sc::check_program(r.insns, arch::big_endian(f.arch), policy, decides, all_audits(), extra);
    CHECK_MESSAGE(!mismatch, (mismatch ? mismatch->describe() : ""));
    out.emplace_back(f.arch, r.insns);
  }
  return out;
}

std::unique_ptr<test::Compiled> compiled(const std::string& source) {
  auto c = test::compile(source);
  const std::string first = c->engine.diagnostics().empty() ? std::string() : c->engine.diagnostics().front().message;
  INFO(first);
  REQUIRE(c->policy);
  return c;
}

// Every number the policy decides without looking at arguments, and allows, must be one the
// kernel's action cache holds as allowed.
void check_cache(const ir::Policy& policy, arch::Arch a, const std::vector<sc::Insn>& insns) {
  for (arch::Arch t : arch::family_targets(a, policy.targets))
    for (const ir::ArchFilter& f : policy.syscalls.arches) {
      if (f.arch != t) continue;
      std::set<int> numbers;
      for (const ir::SyscallRule& r : f.rules) numbers.insert(r.nr);
      const int base = t == arch::Arch::x32 ? static_cast<int>(arch::kX32SyscallBit) : 0;
      for (int n = base; n < base + 600; ++n) numbers.insert(n);
      for (int nr : numbers) {
        if (ir::call_target(policy.targets, arch::audit_arch(t), nr) != t) continue;
        // Unconditional: the same decision for every argument vector tried.
        bool constant = true;
        const auto first = ir::decide(policy, arch::audit_arch(t), nr, Args{}).action;
        for (const Args& x : edge_and_random_args(1))
          constant = constant && ir::decide(policy, arch::audit_arch(t), nr, x).action == first;
        bool conditioned = false;
        for (const ir::SyscallRule& r : f.rules)
          if (r.nr == nr)
            for (const ir::Clause& c : r.when) conditioned = conditioned || !c.empty();
        if (!constant || conditioned || first.kind != ir::ActionKind::Allow) continue;
        INFO(arch::name(t) << " nr " << nr);
        CHECK(sc::const_action(insns, arch::audit_arch(t), nr, arch::big_endian(a)) == sc::CacheVerdict::AlwaysAllow);
      }
    }
}

TEST_CASE("codegen: every example's programs decide as the policy, and the cache holds what they allow") {
  size_t programs = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/examples"))
    if (e.path().extension() == ".sbx") {
      INFO(e.path().filename().string());
      auto c = compiled(read(e.path()));
      for (const auto& [a, insns] : check_generated(*c->policy, ++programs)) check_cache(*c->policy, a, insns);
    }
  CHECK(programs >= 4);
}

TEST_CASE("codegen: every standard module on every arch, x86 and s390x included") {
  const std::vector<std::string> modules = {"groups",    "runtime.glibc", "hardening",   "net",
                                            "lang.python", "lang.node",   "tools.shell", "tools.git"};
  for (const std::string& m : modules)
    for (const std::string targets : {"x86_64, x86, x32", "aarch64, arm", "riscv64", "s390x"}) {
      INFO("std." << m << " on " << targets);
      const std::string src = "policy w version 1 {\n  targets " + targets + "\n  import std." + m +
                              "\n  syscalls {\n    default errno(EPERM)\n  }\n}\n";
      auto c = compiled(src);
      for (const auto& [a, insns] : check_generated(*c->policy, 7)) check_cache(*c->policy, a, insns);
    }
}

TEST_CASE("codegen: x86 and s390x socket and IPC calls are conditioned exactly, multiplexers by their own rules") {
  for (const std::string targets : {"x86", "s390x", "x86_64, x86"}) {
    INFO(targets);
    auto c = compiled(test::policy_with(R"(
  syscalls {
    default errno(EPERM)
    allow socket(domain in {AF_INET, AF_INET6} && type & 0xf == SOCK_STREAM)
    deny socket(domain == AF_UNIX) errno(EACCES)
    allow connect(fd < 100), sendto(flags & 0x40 == 0)
    allow semget(arg1 <= 8)
    kill socketcall?
    allow ipc?
  })",
                                        targets));
    check_generated(*c->policy, 3);
  }
}

TEST_CASE("codegen: 64-bit comparisons test each half exactly, in both byte orders") {
  for (const std::string targets : {"x86_64", "aarch64", "s390x", "riscv64"}) {
    INFO(targets);
    auto c = compiled(test::policy_with(R"(
  syscalls {
    default errno(EPERM)
    allow read(count > 0xffffffff)
    allow write(count == 0x100000000)
    allow pread64(count < 0x100000001)
    allow pwrite64(count >= 0xffffffff)
    allow lseek(offset <= 0x1ffffffff && offset != 0x100000000)
    allow fcntl(arg & 0x100000000 == 0)
    allow mprotect(len & 0xffffffff00000000 == 0xffffffff00000000)
    allow munmap(length & 0x80000001 == 0x80000001)
    deny readv(iovcnt == 0xffffffff) errno(EBADF)
    kill writev(iovcnt == 0xfffffffe)
    allow readv, writev
  })",
                                        targets));
    const auto programs = check_generated(*c->policy, 11);
    // Exhaustively over the edges of both halves, argument by argument, against ir::decide.
    const uint64_t halves[] = {0, 1, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff};
    for (const auto& [a, insns] : programs)
      for (const ir::ArchFilter& f : c->policy->syscalls.arches)
        for (const ir::SyscallRule& r : f.rules)
          for (size_t arg = 0; arg < 6; ++arg)
            for (uint64_t hi : halves)
              for (uint64_t lo : halves) {
                Args x{};
                x[arg] = hi << 32 | lo;
                sc::SeccompData d;
                d.arch = arch::audit_arch(a);
                d.nr = r.nr;
                d.args = x;
                const auto want = ir::decide(*c->policy, d.arch, d.nr, x).action;
                const auto got = sc::decode_ret(sc::run(insns, d, arch::big_endian(a)).ret);
                INFO(r.syscall << " arg" << arg << " = " << sc::hex(static_cast<uint32_t>(hi)) << ":" << sc::hex(static_cast<uint32_t>(lo)));
                CHECK(want == got);
              }
  }
}

TEST_CASE("codegen: arguments the kernel reads narrower than 32 bits are compared at their width") {
  for (const std::string targets : {"x86_64", "s390x", "x86", "aarch64, arm"}) {
    INFO(targets);
    auto c = compiled(test::policy_with(R"(
  syscalls {
    default errno(EPERM)
    kill fcntl(cmd == F_SETFD, arg == 2)
    allow fcntl(cmd == F_SETFD, arg == 1)
    allow fcntl(cmd == F_GETFD)
    allow dup2?(newfd >= 3 && newfd <= 9)
    allow lseek(whence <= 2)
    allow openat(mode & 0o7000 == 0)
  })",
                                        targets));
    check_generated(*c->policy, 17);
  }
}

TEST_CASE("codegen: x32 numbers are runs of x86_64's search; -1 goes where ir::call_target says") {
  for (const std::string targets : {"x86_64", "x32", "x86_64, x32", "x86_64, x86, x32"}) {
    INFO(targets);
    auto c = compiled(test::policy_with(R"(
  syscalls {
    default allow
    deny getpid errno(EPERM)
    kill ptrace
    trap clone(flags & 0x10000000 != 0)
  })",
                                        targets));
    check_generated(*c->policy, 5);
  }
}

TEST_CASE("codegen: overlapping rules of every action: the most restrictive wins") {
  auto c = compiled(test::policy_with(R"(
  syscalls {
    default errno(EPERM)
    allow write, read, close
    deny write(fd == 2) errno(EBADF)
    kill write(fd > 1000)
    trap close(fd < 3)
    log read(count & 0xfff == 0)
    trace(3) read(fd == 7 && count == 9)
    allow ioctl(request in {TCGETS, TIOCSTI})
    deny ioctl(request == TIOCSTI) errno(EPERM)
    allow openat(flags & 0x3 == 0 || flags & 0x40 == 0x40 && mode <= 0o644)
  })",
                                      "x86_64, x86, aarch64, arm, riscv64, s390x"));
  check_generated(*c->policy, 13);
}

}  // namespace
}  // namespace polc
