// The fork/seccomp/syscall machinery behind run_probe (see harness.h).
#include "tests/kernel/harness.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <pty.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <new>

static_assert(sizeof(long) == 8, "the probes are x86_64 system calls");

namespace kernel_test {
namespace {

// What the child leaves in the shared page. Written by the child only, read after it is reaped.
struct Report {
  enum State : int { nothing, returned, setup_failed };
  State state;
  int step;  // index into kSteps when setup failed
  long ret;
  int err;
};

constexpr const char* kSteps[] = {"openpty", "pipe2", "moving descriptors", "PR_SET_NO_NEW_PRIVS",
                                  "seccomp(SECCOMP_SET_MODE_FILTER)"};

[[noreturn]] void setup_failed(Report* report, int step) {
  report->err = errno;
  report->step = step;
  report->state = Report::setup_failed;
  _exit(111);
}

// Puts the pty on kPtyStdin and kPty and the pipe on kPipeRead/kPipeWrite. Everything is first
// moved above 64 so that the dup2 calls below cannot clobber a descriptor still to be moved; the
// pty's master side stays open up there (closing it would hang up the slave).
void open_descriptors(Report* report) {
  int master = -1, slave = -1, pipe_fds[2] = {-1, -1};
  if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) setup_failed(report, 0);
  if (pipe2(pipe_fds, 0) != 0) setup_failed(report, 1);
  int high[4];
  const int low[4] = {master, slave, pipe_fds[0], pipe_fds[1]};
  for (int i = 0; i < 4; ++i)
    if ((high[i] = fcntl(low[i], F_DUPFD, 64)) < 0) setup_failed(report, 2);
  for (int fd : low) close(fd);
  if (dup2(high[1], kPtyStdin) < 0 || dup2(high[1], kPty) < 0 || dup2(high[2], kPipeRead) < 0 ||
      dup2(high[3], kPipeWrite) < 0)
    setup_failed(report, 2);
}

// The probe itself: exactly one system call once the filter is installed.
void call(const Probe& probe, const std::array<uint64_t, 6>& regs, long& ret, int& err) {
  if (probe.abi == Abi::i386) {
    // int $0x80 from 64-bit code: the kernel takes eax/ebx/... as an i386 system call. It may
    // clobber r8-r11 on older kernels.
    long rax = static_cast<long>(probe.nr);
    asm volatile("int $0x80" : "+a"(rax) : : "r8", "r9", "r10", "r11", "memory");
    const auto r32 = static_cast<int32_t>(rax);
    ret = r32 < 0 && r32 >= -4095 ? -1 : r32;
    err = r32 < 0 && r32 >= -4095 ? -r32 : 0;
    return;
  }
  errno = 0;
  ret = syscall(static_cast<long>(probe.nr), regs[0], regs[1], regs[2], regs[3], regs[4], regs[5]);
  err = ret == -1 ? errno : 0;
}

[[noreturn]] void child(const Probe& probe, const std::array<uint64_t, 6>& regs, const sock_fprog* prog,
                        Report* report) {
  // The test runner (doctest, and ASan in sanitizer builds) catches SIGSEGV and friends; the
  // child must die of whatever signal the kernel sends, as any sandboxed program would.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
  alarm(10);  // a probe that blocks must not hang the suite: SIGALRM is reported as such
  // No core files for the expected SIGSYS deaths.
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  open_descriptors(report);

  // As bwrap and sbx-exec do: NO_NEW_PRIVS first (required without CAP_SYS_ADMIN), then the
  // filter. The baseline sets NO_NEW_PRIVS too, so the two runs differ only in the filter.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) setup_failed(report, 3);
  if (prog != nullptr && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) != 0) setup_failed(report, 4);

  long ret = 0;
  int err = 0;
  call(probe, regs, ret, err);
  // The new process of a clone/fork shares the report page: it leaves without a word.
  if (probe.creates_process && ret == 0) syscall(SYS_exit_group, 0);
  report->ret = ret;
  report->err = err;
  report->state = Report::returned;
  if (probe.creates_process && ret > 0) syscall(SYS_wait4, ret, nullptr, 0, nullptr);
  syscall(SYS_exit_group, 0);
  __builtin_unreachable();
}

}  // namespace

std::string describe(const Outcome& o) {
  switch (o.kind) {
    case Outcome::Kind::returned:
      if (o.ret == -1)
        return std::string("failed with ") + (strerrorname_np(o.err) ? strerrorname_np(o.err) : "?") + " (errno " +
               std::to_string(o.err) + ")";
      return "returned " + std::to_string(o.ret);
    case Outcome::Kind::signaled:
      return std::string("killed by ") + (sigabbrev_np(o.signal) ? "SIG" : "signal ") +
             (sigabbrev_np(o.signal) ? sigabbrev_np(o.signal) : std::to_string(o.signal));
    case Outcome::Kind::exited: return "exited with status " + std::to_string(o.status) + " without reporting a result";
    case Outcome::Kind::setup_failed: return "child setup failed at " + o.setup_step + ": " + std::strerror(o.err);
  }
  return "?";
}

Outcome run_probe(const Probe& probe, const std::vector<sock_filter>* filter) {
  const auto regs = resolve(probe);  // maps the scratch page before the fork
  sock_fprog prog{};
  if (filter != nullptr) {
    prog.len = static_cast<unsigned short>(filter->size());
    prog.filter = const_cast<sock_filter*>(filter->data());
  }
  void* page = mmap(nullptr, sizeof(Report), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  Outcome out;
  if (page == MAP_FAILED) {
    out.kind = Outcome::Kind::setup_failed;
    out.setup_step = "mmap of the report page";
    out.err = errno;
    return out;
  }
  auto* report = new (page) Report{Report::nothing, 0, 0, 0};
  const pid_t pid = ::fork();
  if (pid == 0) child(probe, regs, filter != nullptr ? &prog : nullptr, report);
  int status = 0;
  if (pid < 0) {
    out.kind = Outcome::Kind::setup_failed;
    out.setup_step = "fork";
    out.err = errno;
  } else {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    // A reported result wins over how the child ended afterwards.
    if (report->state == Report::returned) {
      out.kind = Outcome::Kind::returned;
      out.ret = report->ret;
      out.err = report->err;
    } else if (report->state == Report::setup_failed) {
      out.kind = Outcome::Kind::setup_failed;
      out.setup_step = kSteps[report->step];
      out.err = report->err;
    } else if (WIFSIGNALED(status)) {
      out.kind = Outcome::Kind::signaled;
      out.signal = WTERMSIG(status);
    } else {
      out.kind = Outcome::Kind::exited;
      out.status = WEXITSTATUS(status);
    }
  }
  munmap(page, sizeof(Report));
  return out;
}

}  // namespace kernel_test
