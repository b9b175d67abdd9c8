// userfaultfd: create a userfaultfd, which lets a process stall the kernel inside a page fault at
// a moment it chooses: the standard tool for winning kernel race conditions.
// Stopped by: seccomp (std.hardening kills userfaultfd).
#include <fcntl.h>
#include <sys/syscall.h>

#include "attack.h"

int main(void) {
  long fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    if (err == ENOSYS) untestable("userfaultfd: ENOSYS: kernel without CONFIG_USERFAULTFD");
    blocked_errno("userfaultfd", err);
  }
  succeeded("userfaultfd returned fd %ld", fd);
}
