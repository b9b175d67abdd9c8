// kexec_load: ask the kernel to stage a new kernel image (no segments). Reaching the kexec code
// (any error other than EPERM) proves the sandbox could replace the running kernel.
// Stopped by: seccomp (std.hardening kills @reboot, kexec_load and kexec_file_load included).
// Untestable on a kernel built without kexec (ENOSYS).
#include <sys/syscall.h>

#include "attack.h"

int main(void) {
  long ret = syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL);
  if (ret == 0) succeeded("kexec_load accepted an empty image (unloads any staged kernel)");
  int err = errno;
  if (err == ENOSYS) untestable("kexec_load: ENOSYS: this kernel has no kexec support");
  if (err == EPERM || err == EACCES) blocked_errno("kexec_load", err);
  succeeded("kexec_load reached the kexec code, which answered %s", errname(err));
}
