// Unit tests of the seccomp backend on argument-heavy syscalls: the indexed decision the
// conformance check uses agrees with ir::decide, and a syscall with more rules than the old
// per-syscall cap of 1024 builds into a program that decides every probed call as the policy.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/conformance.h"
#include "backends/seccomp/decision_index.h"
#include "backends/seccomp/emit.h"
#include "compiler/ir/evaluate.h"
#include "compiler/verify/translation.h"
#include "tests/unit/test_support.h"

namespace polc {
namespace {

namespace sc = backends::seccomp;

TEST_CASE("decision index: the same action as ir::decide on random rules and calls") {
  std::mt19937_64 rng(42);
  static constexpr ir::CmpOp kOps[] = {ir::CmpOp::Eq, ir::CmpOp::Ne, ir::CmpOp::Lt,       ir::CmpOp::Le,
                                       ir::CmpOp::Gt, ir::CmpOp::Ge, ir::CmpOp::MaskedEq, ir::CmpOp::MaskedNe};
  static constexpr ir::ActionKind kKinds[] = {ir::ActionKind::KillProcess, ir::ActionKind::Trap, ir::ActionKind::Errno,
                                              ir::ActionKind::Log, ir::ActionKind::Allow};
  auto small = [&]() -> uint64_t {
    const uint64_t v = rng() % 6;
    return rng() % 4 == 0 ? v | (uint64_t{1} << 32) : v;  // some differ only above 32 bits
  };
  for (int round = 0; round < 40; ++round) {
    ir::Policy policy;
    policy.targets = {arch::Arch::x86_64};
    policy.syscalls.default_action = {kKinds[rng() % 5], 0};
    ir::ArchFilter filter;
    filter.arch = arch::Arch::x86_64;
    for (int i = 0; i < 30; ++i) {
      ir::SyscallRule r;
      r.syscall = "ioctl";
      r.nr = 16;
      r.action = {kKinds[rng() % 5], static_cast<uint16_t>(rng() % 3)};
      const size_t clauses = rng() % 3;  // 0: a rule that never matches
      for (size_t k = 0; k < clauses; ++k) {
        ir::Clause clause;
        for (size_t n = rng() % 3; n > 0; --n) {
          ir::ArgCmp c;
          c.arg = static_cast<uint8_t>(rng() % 3);
          c.width = rng() % 2 ? 32 : 64;
          c.op = kOps[rng() % 3 == 0 ? rng() % 8 : 0];  // equalities most often, to be filed
          c.value = small();
          c.mask = small() | 1;
          if (c.op == ir::CmpOp::MaskedEq || c.op == ir::CmpOp::MaskedNe) c.value &= c.mask;
          clause.push_back(c);
        }
        r.when.push_back(clause);
      }
      filter.rules.push_back(std::move(r));
    }
    policy.syscalls.arches.push_back(filter);
    const auto& rules = policy.syscalls.arches.front().rules;
    const sc::DecisionIndex index(rules, policy.syscalls.default_action);
    for (int call = 0; call < 400; ++call) {
      std::array<uint64_t, 6> args{};
      for (int a = 0; a < 3; ++a) args[a] = small() | (rng() % 5 == 0 ? rng() << 33 : 0);
      const ir::Action want = ir::decide(policy, arch::audit_arch(arch::Arch::x86_64), 16, args).action;
      CHECK(index.decide(args) == want);
    }
  }
}

TEST_CASE("a syscall with more than 1024 argument rules builds, and its programs decide as the policy") {
  // 1,100 rules on distinct ioctl requests: one filter rule each, past the old cap of 1024 and
  // well inside the kernel's 4096 instructions.
  std::string body = "  syscalls {\n    default allow\n";
  for (int i = 0; i < 1100; ++i)
    body += "    deny ioctl(request == " + std::to_string(0x5400 + i) + ", fd == " + std::to_string(i % 7) +
            ") errno(" + std::to_string(1 + i % 5) + ")\n";
  auto c = test::compile(test::policy_with(body + "  }", "x86_64, aarch64"));
  REQUIRE(c->policy);
  auto artifacts = sc::emit(*c->policy, c->engine);
  CHECK(c->engine.diagnostics().empty());
  REQUIRE(artifacts);
  REQUIRE(artifacts->programs.size() == 2);
  std::vector<uint32_t> audits;
  for (arch::Arch a : arch::kAllArches) audits.push_back(arch::audit_arch(a));
  for (const auto& p : artifacts->programs) {
    // Spot checks through the interpreter, on top of emit's own conformance check.
    sc::SeccompData d;
    d.arch = arch::audit_arch(p.arch);
    for (const ir::ArchFilter& f : c->policy->syscalls.arches)
      if (f.arch == p.arch) d.nr = f.rules.front().nr;
    d.args = {3, 0x5403, 0, 0, 0, 0};  // rule 3: fd 3, errno(4)
    CHECK(sc::decode_ret(sc::run(p.insns, d, arch::big_endian(p.arch)).ret) == ir::Action{ir::ActionKind::Errno, 4});
    d.args = {4, 0x5403, 0, 0, 0, 0};  // another fd: no rule
    CHECK(sc::decode_ret(sc::run(p.insns, d, arch::big_endian(p.arch)).ret) == ir::Action{ir::ActionKind::Allow, 0});
    const auto mismatch = sc::check_program(p.insns, arch::big_endian(p.arch), *c->policy, p.decides, audits);
    CHECK_MESSAGE(!mismatch, (mismatch ? mismatch->describe() : ""));
  }
}

TEST_CASE("three overlapping rules on read's fd and count build, decide as the policy and are proved") {
  // Masked equalities only need 1,030 filter rules here (`fd != 5` at 32 bits times `count`'s
  // upper half not zero, each 32 cubes): a 6,276-instruction program. The compact spelling fits.
  auto c = test::compile(test::policy_with(R"(  syscalls {
    default allow
    user_notif read(fd > 2 && fd < 10)
    kill_thread read(fd == 5)
    trap read(count > 0xffffffff)
  })",
                                           "x86_64, aarch64"));
  REQUIRE(c->policy);
  auto artifacts = sc::emit(*c->policy, c->engine);
  for (const auto& d : c->engine.diagnostics()) CHECK(d.code != diag::Code::FilterTooLarge);
  REQUIRE(artifacts);
  REQUIRE(artifacts->programs.size() == 2);
  const ir::Action notif{ir::ActionKind::UserNotif, 0}, kill{ir::ActionKind::KillThread, 0},
      trap{ir::ActionKind::Trap, 0}, allow{ir::ActionKind::Allow, 0};
  const std::vector<std::pair<std::array<uint64_t, 6>, ir::Action>> calls = {
      {{5, 0, 1, 0, 0, 0}, kill},
      {{0x100000005, 0, 1, 0, 0, 0}, kill},  // fd is an int: the upper half is not read
      {{5, 0, 0x100000000, 0, 0, 0}, kill},  // kill_thread beats trap
      {{3, 0, 0x100000000, 0, 0, 0}, trap},  // trap beats user_notif
      {{3, 0, 0xffffffff, 0, 0, 0}, notif},
      {{9, 0, 0, 0, 0, 0}, notif},
      {{0xffffffff00000006, 0, 7, 0, 0, 0}, notif},
      {{10, 0, 0xffffffff, 0, 0, 0}, allow},
      {{2, 0, 0x8000000000000000, 0, 0, 0}, trap},
  };
  for (const auto& p : artifacts->programs) {
    INFO("program for " << arch::name(p.arch));
    CHECK(p.insns.size() <= 4096);
    for (const auto& [args, want] : calls) {
      sc::SeccompData d;
      d.arch = arch::audit_arch(p.arch);
      d.nr = p.arch == arch::Arch::x86_64 ? 0 : 63;  // read
      d.args = args;
      CHECK(sc::decode_ret(sc::run(p.insns, d, arch::big_endian(p.arch)).ret) == want);
      CHECK(ir::decide(*c->policy, d.arch, d.nr, args).action == want);
    }
    // The proof over every input, as the build requires.
    CHECK(verify::validate_translation(p, *c->policy).equivalent());
  }
}

}  // namespace
}  // namespace polc
