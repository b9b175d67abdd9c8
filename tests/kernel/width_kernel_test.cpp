// Real-kernel check of arguments whose width depends on another argument
// (docs/argument-widths.md): a policy that kills fcntl(F_SETFD, 0) and futex(FUTEX_CMP_REQUEUE,
// nr_requeue 0) is built with `polc build`, and calls that put garbage above the bits the kernel
// reads (above 32 bits; for F_SETFD above the one bit it keeps) run in forked children under its
// x86_64 filter. Each is run once without a filter too, to show the kernel accepts them, so a
// filter that compared the whole register would let them through.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "tests/kernel/expectations.h"
#include "tests/kernel/harness.h"
#include "tests/kernel/polc_artifacts.h"
#include "tests/kernel/subprocess.h"
#include "tests/support/temp_dir.h"

using namespace kernel_test;

namespace {

constexpr const char* kPolicy = R"(policy widths version 1 {
  targets x86_64
  syscalls {
    default allow
    kill fcntl(cmd == F_SETFD, arg == 0)
    kill futex(op == FUTEX_CMP_REQUEUE_PRIVATE, timeout == 0)
  }
}
)";

constexpr uint64_t kHigh = uint64_t{1} << 32;
constexpr uint64_t kFcntl = 72, kFutex = 202;  // x86_64
constexpr uint64_t kSetFd = 2, kCmpRequeuePrivate = 0x84;

// F_SETFD on the pty: the kernel reads (int)arg, so 1 << 32 clears close-on-exec like 0 does.
const Probe setfd_high{"fcntl(3, F_SETFD, 1<<32)", "", Abi::x86_64, kFcntl, {v(kPty), v(kSetFd), v(kHigh)}};
// F_SETFD keeps only FD_CLOEXEC (bit 0) of its int: 2 clears close-on-exec too.
const Probe setfd_two{"fcntl(3, F_SETFD, 2)", "", Abi::x86_64, kFcntl, {v(kPty), v(kSetFd), v(2)}};
const Probe setfd_cloexec{
    "fcntl(3, F_SETFD, FD_CLOEXEC | 1<<32)", "", Abi::x86_64, kFcntl, {v(kPty), v(kSetFd), v(kHigh | 1)}};
// FUTEX_CMP_REQUEUE on a zeroed word with val3 0: requeues up to (u32)timeout waiters, none here.
const Probe requeue_high{"futex(buf, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1<<32, buf+8, 0)",
                         "",
                         Abi::x86_64,
                         kFutex,
                         {scratch(0), v(kCmpRequeuePrivate), v(1), v(kHigh), scratch(8), v(0)}};

}  // namespace

TEST_CASE("arguments narrowed by a command: the kernel kills what it reads as the denied value") {
  polc::test::TempDir tmp("polc-kernel");
  const auto source = std::filesystem::path(tmp.path()) / "widths.sbx";
  std::ofstream(source) << kPolicy;
  const Artifacts a = build_policy(POLC_BINARY, source, "widths");
  REQUIRE_MESSAGE(a.error.empty(), a.error);

  const struct {
    const Probe* probe;
    Expected expected;
  } cases[] = {{&setfd_high, KILL}, {&setfd_two, KILL}, {&setfd_cloexec, ALLOW}, {&requeue_high, KILL}};
  for (const auto& c : cases) {
    INFO(c.probe->call);
    const Outcome baseline = run_probe(*c.probe, nullptr);
    // Without a filter the kernel accepts each call: it reads the low 32 bits.
    CHECK_MESSAGE((baseline.kind == Outcome::Kind::returned && baseline.ret == 0), describe(baseline));
    const Outcome filtered = run_probe(*c.probe, &a.filter);
    const Verdict v = judge(c.expected, filtered, baseline, std::set<int>{});
    if (v.kind == Verdict::Kind::untestable) {
      ++tally.untestable;
      MESSAGE("NOT TESTED: " << v.detail);
      continue;
    }
    ++(v.kind == Verdict::Kind::pass ? tally.passed : tally.failed);
    CHECK_MESSAGE(v.kind == Verdict::Kind::pass, v.detail);
  }
}
