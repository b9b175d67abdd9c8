// perf_event_open: open a performance counter on ourselves, a large and often exploited kernel
// surface that also leaks kernel addresses.
// Stopped by: seccomp (std.hardening kills @debugging, perf_event_open included).
// Untestable where the kernel has no perf support for the event (ENOENT, ENODEV, EOPNOTSUPP).
#include <linux/perf_event.h>
#include <sys/syscall.h>

#include "attack.h"

int main(void) {
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_TASK_CLOCK;
  attr.exclude_kernel = 1;
  long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENODEV || err == EOPNOTSUPP)
      untestable("perf_event_open: %s: no perf support for a software counter", errname(err));
    blocked_errno("perf_event_open", err);
  }
  succeeded("perf_event_open returned counter fd %ld", fd);
}
