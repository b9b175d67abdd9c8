// io_uring_setup: create an io_uring, whose requests run in kernel workers outside the syscall
// path seccomp filters (and whose code is one of the kernel's largest bug sources).
// Stopped by: seccomp (std.hardening answers io_uring_setup with ENOSYS, kills io_uring_enter).
// Unconfined, the kernel's own ENOSYS or io_uring_disabled make it untestable.
#include <linux/io_uring.h>
#include <sys/syscall.h>

#include "attack.h"

int main(void) {
  struct io_uring_params params;
  memset(&params, 0, sizeof params);
  long fd = syscall(SYS_io_uring_setup, 8, &params);
  if (fd < 0) {
    int err = errno;
    FILE* f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
    int disabled = 0;
    if (f) {
      if (fscanf(f, "%d", &disabled) != 1) disabled = 0;
      fclose(f);
    }
    if (f && disabled == 2) untestable("io_uring is disabled by kernel.io_uring_disabled=2");
    blocked_errno("io_uring_setup", err);
  }
  succeeded("io_uring fd %ld with %u submission entries", fd, params.sq_entries);
}
