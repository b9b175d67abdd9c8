// Stage: launcher. seccomp-BPF program selection and installation.
#include "launcher/seccomp_apply.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "launcher/bundle.h"
#include "launcher/errors.h"

namespace polc::launcher {

namespace {

// The kernel's BPF_MAXINSNS.
constexpr size_t kMaxInstructions = 4096;

}  // namespace

const char* native_arch() {
#if defined(__x86_64__) && defined(__ILP32__)
  return "x32";
#elif defined(__x86_64__)
  return "x86_64";
#elif defined(__i386__)
  return "x86";
#elif defined(__aarch64__)
  return "aarch64";
#elif defined(__arm__)
  return "arm";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#elif defined(__s390x__)
  return "s390x";
#else
#error "sbx-exec: no polc target for this architecture"
#endif
}

SeccompProgram native_seccomp_program(const Bundle& bundle) {
  SeccompProgram program;
  program.file = std::string("seccomp.") + native_arch() + ".bpf";
  const Artifact* artifact = bundle.find(program.file);
  if (!artifact)
    throw Failure(ExitCode::BundleInvalid, "the bundle has no seccomp program for " + std::string(native_arch()) +
                                               " (" + program.file +
                                               " is not listed in manifest.json); build the "
                                               "policy with this target");
  program.bytes = artifact->bytes;
  if (program.bytes.empty() || program.bytes.size() % sizeof(sock_filter) != 0)
    throw Failure(ExitCode::BundleInvalid, program.file + " is not an array of struct sock_filter (" +
                                               std::to_string(program.bytes.size()) + " bytes)");
  program.instructions = program.bytes.size() / sizeof(sock_filter);
  if (program.instructions > kMaxInstructions)
    throw Failure(ExitCode::BundleInvalid, program.file + " has " + std::to_string(program.instructions) +
                                               " instructions; the kernel accepts at most 4096");
  return program;
}

bool kernel_has_seccomp_filter() {
  // PR_GET_SECCOMP fails with EINVAL when the kernel has no seccomp at all. The filter mode
  // itself is probed with an invalid (null) program: EFAULT means the kernel would have read it.
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) return false;
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, nullptr);
  return r < 0 && errno == EFAULT;
}

void apply_seccomp(const SeccompProgram& program, bool log_refusals) {
  // Copy into properly aligned storage: the kernel reads struct sock_filter, and std::string's
  // buffer carries no alignment promise for it.
  std::vector<sock_filter> filter(program.instructions);
  std::memcpy(filter.data(), program.bytes.data(), program.bytes.size());
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(filter.size());
  prog.filter = filter.data();
  // No SECCOMP_FILTER_FLAG_TSYNC: sbx-exec is single-threaded, and the filter is inherited by the
  // payload through exec. SECCOMP_FILTER_FLAG_LOG makes the kernel audit errno, trap, trace and
  // user_notif decisions too (kills are audited anyway): the supervisor's telemetry reads them.
  const unsigned flags = log_refusals ? SECCOMP_FILTER_FLAG_LOG : 0;
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) != 0)
    throw Failure(ExitCode::ApplyFailed, "seccomp: cannot install " + program.file + ": " + errno_text(errno));
}

}  // namespace polc::launcher
