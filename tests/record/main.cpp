// The recorder's kernel tests (polc_record, launcher/record): real workloads recorded on this
// kernel. Exit status 77 (skipped) where recording cannot work at all: no seccomp user
// notification with SECCOMP_USER_NOTIF_FLAG_CONTINUE (Linux 5.5), or no pidfd_getfd on a child
// (Linux 5.6, and ptrace rights over it).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

#include "launcher/record/recorder.h"

int main(int argc, char** argv) {
  seccomp_notif_sizes sizes{};
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
    std::puts("skipped: no seccomp user notification on this kernel");
    return 77;
  }
  polc::learn::Recording probe;
  polc::record::Options options;
  options.argv = {"true"};
  std::string error;
  if (!polc::record::run(options, probe, error)) {
    std::printf("skipped: %s\n", error.c_str());
    return 77;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
