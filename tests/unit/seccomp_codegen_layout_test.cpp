// polc's own seccomp code generator (backends/seccomp/gen/): the program's shape. Jumps farther
// than 255 instructions, the kernel's 4,096-instruction limit and the diagnostic past it, value
// sets of thousands of values, and instructions executed per call where targets are set.
#include <doctest/doctest.h>

#include <algorithm>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/conformance.h"
#include "backends/seccomp/emit.h"
#include "backends/seccomp/gen/generate.h"
#include "backends/seccomp/gen/graph.h"
#include "compiler/ir/evaluate.h"
#include "tests/unit/test_support.h"

namespace polc {
namespace {

namespace sc = backends::seccomp;
using sc::Args;

std::unique_ptr<test::Compiled> compiled(const std::string& source) {
  auto c = test::compile(source);
  const std::string first = c->engine.diagnostics().empty() ? std::string() : c->engine.diagnostics().front().message;
  INFO(first);
  REQUIRE(c->policy);
  return c;
}

std::vector<uint32_t> all_audits() {
  std::vector<uint32_t> out;
  for (arch::Arch a : arch::kAllArches) out.push_back(arch::audit_arch(a));
  return out;
}

sc::gen::Result generate_checked(const ir::Policy& policy, arch::Arch a) {
  const std::vector<arch::Arch> decides = arch::family_targets(a, policy.targets);
  sc::gen::Result r = sc::gen::generate(policy, decides, {});
  REQUIRE_MESSAGE(r.error.empty(), r.error);
  const auto invalid = sc::validate(r.insns);
  REQUIRE_MESSAGE(!invalid, invalid.value_or(""));
  const auto mismatch = sc::check_program(r.insns, arch::big_endian(a), policy, decides, all_audits());
  CHECK_MESSAGE(!mismatch, (mismatch ? mismatch->describe() : ""));
  return r;
}

uint32_t executed(const std::vector<sc::Insn>& insns, arch::Arch a, int nr, const Args& args) {
  sc::SeccompData d;
  d.arch = arch::audit_arch(a);
  d.nr = nr;
  d.args = args;
  const sc::RunResult r = sc::run(insns, d, arch::big_endian(a));
  REQUIRE(r.fault == nullptr);
  return r.executed;
}

// `count` ioctl request values `stride` apart from `first`, as a set literal.
std::string request_set(uint64_t first, size_t count, uint64_t stride) {
  std::string s;
  for (size_t i = 0; i < count; ++i) s += (i ? ", " : "") + std::to_string(first + i * stride);
  return "{" + s + "}";
}

TEST_CASE("layout: a jump past 255 instructions reaches its target through a copy or a trampoline") {
  // Dozens of conditioned syscalls, each tens of instructions: the number search's jumps cross
  // far more than 255 instructions, on every arch.
  std::string body = "  syscalls {\n    default errno(EPERM)\n";
  const char* calls[] = {"read", "write", "close", "lseek", "pread64", "pwrite64", "readv", "writev", "dup3", "fcntl",
                         "flock", "fsync", "ftruncate", "fchmod", "fchown", "getdents64", "umask", "setuid",
                         "setgid", "setpgid", "kill", "tgkill", "prctl", "madvise", "mprotect", "munmap", "mremap",
                         "msync", "mlock", "munlock"};
  int k = 0;
  for (const char* call : calls) {
    // 40 scattered values of the first argument: a value search of some 80 instructions.
    std::string set;
    for (int i = 0; i < 40; ++i) set += (i ? ", " : "") + std::to_string(++k * 77);
    body += "    allow " + std::string(call) + "(arg0 in {" + set + "})\n";
  }
  body += "  }";
  for (const std::string targets : {"x86_64", "s390x", "x86"}) {
    INFO(targets);
    auto c = compiled(test::policy_with(body, targets));
    const auto r = generate_checked(*c->policy, c->policy->targets.front());
    CHECK(r.insns.size() > 1500);
  }
}

TEST_CASE("layout: lay_out keeps every jump in range and every branch's meaning") {
  // A chain of 2,000 equality tests on the number, each returning its own value: the first tests'
  // targets are thousands of instructions away unless copies are placed near them.
  namespace gen = sc::gen;
  gen::Graph g;
  gen::NodeId next = g.ret(sc::kRetKillProcess);
  for (uint32_t v = 2000; v-- > 0;) next = g.test(sc::kOffsetNr, sc::bpf::kJeq, v, g.ret(sc::kRetErrno | (v % 3)), next);
  // A far non-return target too: the arch test's false branch skips the whole chain.
  const gen::NodeId other = g.test(sc::kOffsetNr, sc::bpf::kJgt, 5, g.ret(sc::kRetAllow), g.ret(sc::kRetTrap));
  const gen::NodeId root = g.test(sc::kOffsetArch, sc::bpf::kJeq, 1, next, other);
  const std::vector<sc::Insn> insns = gen::lay_out(g, root);
  REQUIRE_FALSE(sc::validate(insns));
  for (int32_t nr = 0; nr <= 2001; ++nr) {
    sc::SeccompData d;
    d.nr = nr;
    d.arch = 1;
    const uint32_t want = nr < 2000 ? (sc::kRetErrno | static_cast<uint32_t>(nr % 3)) : sc::kRetKillProcess;
    CHECK(sc::run(insns, d, false).ret == want);
    d.arch = 2;
    CHECK(sc::run(insns, d, false).ret == (nr > 5 ? sc::kRetAllow : sc::kRetTrap));
  }
}

TEST_CASE("value sets: 1,000 ioctl requests take at most 25 instructions per ioctl") {
  const std::string body = "  syscalls {\n    default errno(EPERM)\n    allow read, write, close, openat, mmap, exit_group\n"
                           "    allow ioctl(request in " + request_set(0x40045400, 1000, 7) + ")\n  }";
  auto c = compiled(test::policy_with(body));
  const auto r = generate_checked(*c->policy, arch::Arch::x86_64);
  const int ioctl = 16;
  uint32_t worst = 0;
  for (size_t i = 0; i < 1000; ++i) {
    Args x{};
    x[1] = 0x40045400 + i * 7;
    worst = std::max(worst, executed(r.insns, arch::Arch::x86_64, ioctl, x));
    x[1] += 1;  // refused, between two allowed values
    worst = std::max(worst, executed(r.insns, arch::Arch::x86_64, ioctl, x));
  }
  CHECK(worst <= 25);
}

TEST_CASE("value sets: 10,000 request values in runs compile and load") {
  // 100 runs of 100 consecutive requests, as ioctl encodings come (one type, consecutive numbers),
  // in rules of 1,000 values (a set literal expands to at most 1,024 alternatives).
  std::string body = "  syscalls {\n    default errno(EPERM)\n    allow read, write\n";
  for (uint64_t rule = 0; rule < 10; ++rule) {
    std::string set;
    for (uint64_t run = rule * 10; run < rule * 10 + 10; ++run)
      for (uint64_t nr = 0; nr < 100; ++nr) set += (set.empty() ? "" : ", ") + std::to_string(0xc0000000 + (run << 12) + nr);
    body += "    allow ioctl(request in {" + set + "})\n";
  }
  body += "  }";
  auto c = compiled(test::policy_with(body, "x86_64, aarch64, s390x"));
  for (arch::Arch a : c->policy->targets) {
    INFO(arch::name(a));
    const auto r = generate_checked(*c->policy, a);
    CHECK(r.insns.size() <= 4096);
  }
}

TEST_CASE("the 4,096-instruction limit: E0602 names the syscalls whose conditions cost the most") {
  // 1,500 scattered requests, each with a descriptor of its own: one test chain each.
  std::string body = "  syscalls {\n    default errno(EPERM)\n";
  for (int i = 0; i < 1500; ++i)
    body += "    allow ioctl(request == " + std::to_string(0x5400 + 3 * i) + " && fd == " + std::to_string(i) + ")\n";
  body += "    allow fcntl(cmd == 1 && arg == 2)\n  }";
  auto c = compiled(test::policy_with(body));
  const std::vector<arch::Arch> decides = {arch::Arch::x86_64};
  const sc::gen::Result r = sc::gen::generate(*c->policy, decides, {});
  REQUIRE_FALSE(r.error.empty());
  REQUIRE(r.failures.size() == 1);
  const sc::gen::Failure& f = r.failures.front();
  CHECK(f.kind == sc::gen::Failure::Kind::TooLarge);
  CHECK(f.length > 4096);
  REQUIRE(f.costs.size() == 2);
  CHECK(f.costs.front().first == "`ioctl` on x86_64");
  CHECK(f.costs.front().second > 4000);
  // Through the backend: E0602 with the costliest syscall in a note.
  const auto emitted = sc::emit(*c->policy, c->engine, sc::CodegenChoice{});
  CHECK_FALSE(emitted);
  CHECK(c->has(diag::Code::FilterTooLarge));
  bool named = false;
  for (const auto& d : c->engine.diagnostics())
    for (const auto& n : d.notes) named = named || n.message.find("`ioctl` on x86_64") != std::string::npos;
  CHECK(named);
}

TEST_CASE("a 64-bit comparison on an arch that compares 32 bits is E0601 with polc's generator too") {
  auto c = compiled(test::policy_with("  syscalls {\n    default errno(EPERM)\n    allow read(count > 0x100000000)\n  }",
                                      "x32"));
  const sc::gen::Result r = sc::gen::generate(*c->policy, std::vector<arch::Arch>{arch::Arch::x32}, {});
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures.front().kind == sc::gen::Failure::Kind::TooWide);
  CHECK(r.failures.front().compared_bits == 64);
  CHECK_FALSE(sc::emit(*c->policy, c->engine, sc::CodegenChoice{}));
  CHECK(c->has(diag::Code::ConditionNotExpressible));
}

TEST_CASE("the number search: three instructions before it, short paths for what the policy allows") {
  auto c = compiled(test::policy_with(
      "  syscalls {\n    default errno(EPERM)\n    allow read, write, close, openat, mmap, munmap, brk, exit_group\n  }"));
  const auto r = generate_checked(*c->policy, arch::Arch::x86_64);
  CHECK(r.insns[0] == sc::bpf::stmt(sc::bpf::kLd | sc::bpf::kW | sc::bpf::kAbs, sc::kOffsetArch));
  CHECK(r.insns[2] == sc::bpf::stmt(sc::bpf::kLd | sc::bpf::kW | sc::bpf::kAbs, sc::kOffsetNr));
  for (int nr : {0, 1, 3, 9, 11, 12, 231, 257})  // the allowed numbers
    CHECK(executed(r.insns, arch::Arch::x86_64, nr, Args{}) <= 3 + 5 + 1);
}

}  // namespace
}  // namespace polc
