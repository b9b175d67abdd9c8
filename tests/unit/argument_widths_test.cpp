// Regression tests of the arguments whose width depends on another argument
// (docs/argument-widths.md, table 2). For every entry on every arch it applies to: a deny of
// `ARG == 0` under a narrowing selector value kills the call whose register holds 1 << 32 (the
// kernel reads 0); an allow of `ARG == 1` lets `1 | 1 << 32` through and not `1 << 32`; for a
// selector value outside every class all 64 bits still count. Each call is decided by the IR
// evaluator and by polc's BPF interpreter running the emitted program, and the two must agree.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/emit.h"
#include "compiler/ir/evaluate.h"
#include "compiler/sema/syscall_signatures.h"
#include "compiler/sema/syscall_table.h"
#include "tests/unit/test_support.h"

namespace polc {
namespace {

using Args = std::array<uint64_t, 6>;

constexpr const char* kSyscallsWithDependentWidths[] = {"fcntl", "fcntl64", "futex",  "futex_time64",
                                                        "ioctl", "kcmp",    "keyctl", "prctl"};
constexpr uint64_t kOutsideEveryClass = 0x7ffffff0;

struct Built {
  std::unique_ptr<test::Compiled> compiled;
  std::optional<backends::seccomp::SeccompArtifacts> artifacts;
};

// Known refusals of the backend, which the build reports and this test does not exercise: x32's
// filter compares 32 bits per argument, so a whole-register comparison the IR keeps is E0601;
// libseccomp 2.5 mis-encodes some programs for a big-endian arch built on a little-endian host,
// which the build's conformance check catches (E0604).
Built build(const std::string& source, arch::Arch a) {
  Built b;
  b.compiled = test::compile(source);
  REQUIRE_MESSAGE(b.compiled->policy, source);
  b.artifacts = backends::seccomp::emit(*b.compiled->policy, b.compiled->engine);
  if (!b.artifacts && a == arch::Arch::x32 && b.compiled->has(diag::Code::ConditionNotExpressible)) return b;
  if (!b.artifacts && arch::big_endian(a) && b.compiled->has(diag::Code::FilterMismatch)) return b;
  REQUIRE_MESSAGE(b.artifacts, source);
  return b;
}

// The action of the call in the IR evaluator; checks that the emitted program returns the same.
ir::ActionKind decide(const Built& b, arch::Arch a, int nr, const Args& args) {
  const ir::Action want = ir::decide(*b.compiled->policy, arch::audit_arch(a), nr, args).action;
  bool ran = false;
  for (const auto& p : b.artifacts->programs) {
    if (std::find(p.decides.begin(), p.decides.end(), a) == p.decides.end()) continue;
    backends::seccomp::SeccompData d;
    d.nr = nr;
    d.arch = arch::audit_arch(a);
    d.args = args;
    const auto r = backends::seccomp::run(p.insns, d, arch::big_endian(a));
    const ir::Action got = backends::seccomp::decode_ret(r.ret);
    CHECK_MESSAGE((got.kind == want.kind && got.data == want.data), "BPF and IR disagree");
    ran = true;
  }
  CHECK(ran);
  return want.kind;
}

Built build_x86_64(const std::string& source) { return build(source, arch::Arch::x86_64); }

size_t index_of(std::span<const sema::ArgSpec> sig, std::string_view name) {
  for (size_t i = 0; i < sig.size(); ++i)
    if (sig[i].name == name) return i;
  FAIL("no argument " << name);
  return 0;
}

}  // namespace

TEST_CASE("an argument narrowed by another argument's value is compared as the kernel reads it") {
  size_t checked = 0;
  for (arch::Arch a : arch::kAllArches) {
    for (const char* syscall : kSyscallsWithDependentWidths) {
      const auto widths = sema::dependent_widths(syscall, a);
      const auto sig = sema::syscall_signature(syscall, a);
      const auto nr = sema::syscall_number(syscall, a);
      if (widths.empty() || !sig || !nr) continue;
      INFO(std::string(syscall) << " on " << arch::name(a));
      // One rule per entry and selector value; the calls below name the selector, so each matches
      // only its own rule.
      std::string kills, allows;
      for (const auto& w : widths)
        for (const auto& v : w.values) {
          const std::string sel = std::string(w.selector) + " == " + std::to_string(v.value);
          kills += "    kill " + std::string(syscall) + "(" + sel + ", " + std::string(w.arg) + " == 0)\n";
          allows += "    allow " + std::string(syscall) + "(" + sel + ", " + std::string(w.arg) + " == 1)\n";
        }
      // x32's filter compares 32 bits per argument (E0601 for a 64-bit comparison), so the
      // whole-register reading outside every class cannot be written for it.
      const bool whole_register_comparable = a != arch::Arch::x32;
      for (size_t k = 0; k < widths.size() && whole_register_comparable; ++k) {
        const auto& w = widths[k];
        const std::string sel = std::string(w.selector) + " == " + std::to_string(kOutsideEveryClass + k);
        kills += "    kill " + std::string(syscall) + "(" + sel + ", " + std::string(w.arg) + " == 0)\n";
      }
      const std::string head = "policy t version 1 {\n  targets " + std::string(arch::name(a)) + "\n  syscalls {\n";
      const Built deny = build(head + "    default allow\n" + kills + "  }\n}\n", a);
      const Built allow = build(head + "    default kill\n" + allows + "  }\n}\n", a);
      if (!deny.artifacts || !allow.artifacts) {
        MESSAGE("the backend refuses this policy (E0601 or E0604, see build()); not checked: " << std::string(syscall));
        continue;
      }
      for (size_t k = 0; k < widths.size(); ++k) {
        const auto& w = widths[k];
        const size_t arg = index_of(*sig, w.arg), selector = index_of(*sig, w.selector);
        const bool wide = sema::arg_bits((*sig)[arg].type, a) == 64;
        for (const auto& v : w.values) {
          INFO(std::string(w.arg) << " with " << std::string(w.selector) << " = " << std::string(v.name));
          Args args{7, 7, 7, 7, 7, 7};  // 7 matches no other rule's `== 0` or `== 1`
          args[selector] = v.value;
          args[arg] = 0;
          CHECK(decide(deny, a, *nr, args) == ir::ActionKind::KillProcess);
          args[arg] = 1;
          CHECK(decide(allow, a, *nr, args) == ir::ActionKind::Allow);
          if (wide) {
            args[arg] = uint64_t{1} << 32;  // the kernel reads 0
            CHECK(decide(deny, a, *nr, args) == ir::ActionKind::KillProcess);
            CHECK(decide(allow, a, *nr, args) == ir::ActionKind::KillProcess);
            args[arg] = (uint64_t{1} << 32) | 1;  // the kernel reads 1
            CHECK(decide(allow, a, *nr, args) == ir::ActionKind::Allow);
            args[arg] = ~uint64_t{0} << 32;  // the kernel reads 0 here too
            CHECK(decide(deny, a, *nr, args) == ir::ActionKind::KillProcess);
          }
          ++checked;
        }
        // Outside every class the kernel reads the whole register.
        if (wide && whole_register_comparable) {
          Args args{7, 7, 7, 7, 7, 7};
          args[selector] = kOutsideEveryClass + k;
          args[arg] = uint64_t{1} << 32;
          CHECK(decide(deny, a, *nr, args) == ir::ActionKind::Allow);
          args[arg] = 0;
          CHECK(decide(deny, a, *nr, args) == ir::ActionKind::KillProcess);
        }
      }
    }
  }
  CHECK(checked >= 20);
}

TEST_CASE("the issue's case: kill fcntl(cmd == F_SETFD, arg == 0) kills fcntl(fd, F_SETFD, 1 << 32)") {
  const Built b =
      build_x86_64(test::policy_with("  syscalls {\n    default allow\n    kill fcntl(cmd == F_SETFD, arg == 0)\n  }"));
  const int nr = *sema::syscall_number("fcntl", arch::Arch::x86_64);
  CHECK(decide(b, arch::Arch::x86_64, nr, {3, 2, uint64_t{1} << 32, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(b, arch::Arch::x86_64, nr, {3, 2, 1, 0, 0, 0}) == ir::ActionKind::Allow);
  // F_SETFD keeps only FD_CLOEXEC: 2 clears it like 0 does, 3 sets it like 1.
  CHECK(decide(b, arch::Arch::x86_64, nr, {3, 2, 2, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(b, arch::Arch::x86_64, nr, {3, 2, 3, 0, 0, 0}) == ir::ActionKind::Allow);
  // F_GETLK reads a pointer: 1 << 32 is not 0 there.
  CHECK(decide(b, arch::Arch::x86_64, nr, {3, 5, uint64_t{1} << 32, 0, 0, 0}) == ir::ActionKind::Allow);
}

TEST_CASE("the futex command class ignores FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME") {
  // FUTEX_CMP_REQUEUE_PRIVATE reads timeout as u32 val2, like FUTEX_CMP_REQUEUE.
  const Built b = build_x86_64(test::policy_with(
      "  syscalls {\n    default allow\n    kill futex(op == FUTEX_CMP_REQUEUE_PRIVATE, timeout == 0)\n  }"));
  const int nr = *sema::syscall_number("futex", arch::Arch::x86_64);
  CHECK(decide(b, arch::Arch::x86_64, nr, {0, 0x84, 0, uint64_t{1} << 32, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(b, arch::Arch::x86_64, nr, {0, 0x84, 0, 7, 0, 0}) == ir::ActionKind::Allow);
}

TEST_CASE("a value that does not fit the narrowed width is read as the kernel reads it, with W0013") {
  const Built b = build_x86_64(
      test::policy_with("  syscalls {\n    default allow\n    kill fcntl(cmd == F_SETFD, arg == 0x100000000)\n  }"));
  // Once: the rule pins cmd to F_SETFD (bit 0), so F_SETFL's 32-bit reading is out of reach.
  CHECK(b.compiled->count(diag::Code::NarrowedValue) == 1);
  const int nr = *sema::syscall_number("fcntl", arch::Arch::x86_64);
  CHECK(decide(b, arch::Arch::x86_64, nr, {3, 2, uint64_t{1} << 32, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(b, arch::Arch::x86_64, nr, {3, 2, 0, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(b, arch::Arch::x86_64, nr, {3, 2, 1, 0, 0, 0}) == ir::ActionKind::Allow);
  // A value that fits warns of nothing.
  const Built quiet =
      build_x86_64(test::policy_with("  syscalls {\n    default allow\n    kill fcntl(cmd == F_SETFD, arg == 0)\n  }"));
  CHECK_FALSE(quiet.compiled->has(diag::Code::NarrowedValue));
}

TEST_CASE("an ordering with a value beyond the narrowed width is decided by the width's range") {
  // The kernel reads F_SETFD's arg as 0 or 1, both below 3: `kill fcntl(arg < 3)` kills every
  // F_SETFD call (truncating 3 to bit 1 made it `bit < 1` and let fcntl(fd, F_SETFD, 1) run).
  const int nr = *sema::syscall_number("fcntl", arch::Arch::x86_64);
  const Built below = build_x86_64(test::policy_with("  syscalls {\n    default allow\n    kill fcntl(arg < 3)\n  }"));
  CHECK(below.compiled->has(diag::Code::NarrowedValue));
  CHECK(decide(below, arch::Arch::x86_64, nr, {3, 2, 1, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(below, arch::Arch::x86_64, nr, {3, 2, 0, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(below, arch::Arch::x86_64, nr, {3, 5, 3, 0, 0, 0}) == ir::ActionKind::Allow);  // F_GETLK: 64 bits
  // (int)arg of F_SETFL is below 2^32 whatever the register holds (was read as `(int)arg < 0`,
  // which let fcntl(fd, F_SETFL, O_NONBLOCK) run).
  const Built wide = build_x86_64(
      test::policy_with("  syscalls {\n    default allow\n    kill fcntl(cmd == F_SETFL, arg < 0x100000000)\n  }"));
  CHECK(decide(wide, arch::Arch::x86_64, nr, {3, 4, 0x800, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(wide, arch::Arch::x86_64, nr, {3, 4, 0xfffffffb, 0, 0, 0}) == ir::ActionKind::KillProcess);
  // The other way: no value the kernel reads there is above 2^32, or at least 2 for F_SETFD.
  const Built above = build_x86_64(test::policy_with(
      "  syscalls {\n    default kill_process\n    allow fcntl(cmd in {F_SETFD, F_SETFL}, arg >= 0x100000000)\n  }"));
  CHECK(decide(above, arch::Arch::x86_64, nr, {3, 4, 0, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(above, arch::Arch::x86_64, nr, {3, 4, uint64_t{1} << 32, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(above, arch::Arch::x86_64, nr, {3, 2, 0, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(above, arch::Arch::x86_64, nr, {3, 2, uint64_t{1} << 32, 0, 0, 0}) == ir::ActionKind::KillProcess);
}

TEST_CASE("an ordering of a signed argument is of the number written, not of its bit pattern") {
  // 2147483648 is above every int: `allow kill(pid >= 2147483648)` allows nothing (it allowed
  // every pid, kill(-1, SIGKILL) included, reading the value as INT_MIN's pattern), and
  // `kill kill(pid < 2147483648)` kills every call (it killed none).
  const int nr = *sema::syscall_number("kill", arch::Arch::x86_64);
  const Built allow =
      build_x86_64(test::policy_with("  syscalls {\n    default errno(EPERM)\n    allow kill(pid >= 2147483648)\n  }"));
  CHECK(decide(allow, arch::Arch::x86_64, nr, {0xffffffff, 9, 0, 0, 0, 0}) == ir::ActionKind::Errno);
  CHECK(decide(allow, arch::Arch::x86_64, nr, {0x80000000, 9, 0, 0, 0, 0}) == ir::ActionKind::Errno);
  CHECK(decide(allow, arch::Arch::x86_64, nr, {5, 9, 0, 0, 0, 0}) == ir::ActionKind::Errno);
  const Built deny =
      build_x86_64(test::policy_with("  syscalls {\n    default allow\n    kill kill(pid < 0x80000000)\n  }"));
  CHECK(decide(deny, arch::Arch::x86_64, nr, {5, 9, 0, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(deny, arch::Arch::x86_64, nr, {0xffffffff, 9, 0, 0, 0, 0}) == ir::ActionKind::KillProcess);
  // Where fcntl's arg is an int (F_SETFL) the same holds: O_NONBLOCK is below 0x80000000.
  const int fcntl_nr = *sema::syscall_number("fcntl", arch::Arch::x86_64);
  const Built setfl = build_x86_64(
      test::policy_with("  syscalls {\n    default allow\n    kill fcntl(cmd == F_SETFL, arg < 0x80000000)\n  }"));
  CHECK(decide(setfl, arch::Arch::x86_64, fcntl_nr, {3, 4, 0x800, 0, 0, 0}) == ir::ActionKind::KillProcess);
  // A negative value keeps its signed reading: `pid < -1` is the process groups.
  const Built groups = build_x86_64(test::policy_with("  syscalls {\n    default allow\n    kill kill(pid < -1)\n  }"));
  CHECK(decide(groups, arch::Arch::x86_64, nr, {0xfffffffe, 9, 0, 0, 0, 0}) == ir::ActionKind::KillProcess);
  CHECK(decide(groups, arch::Arch::x86_64, nr, {0xffffffff, 9, 0, 0, 0, 0}) == ir::ActionKind::Allow);
  CHECK(decide(groups, arch::Arch::x86_64, nr, {5, 9, 0, 0, 0, 0}) == ir::ActionKind::Allow);
}

}  // namespace polc
