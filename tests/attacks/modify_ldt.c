// modify_ldt: install a local descriptor table entry, the 16-bit segment machinery behind repeated
// x86 privilege escalations.
// Stopped by: seccomp (std.hardening kills modify_ldt). Untestable on kernels built without
// CONFIG_MODIFY_LDT_SYSCALL (ENOSYS).
#include <asm/ldt.h>
#include <sys/syscall.h>

#include "attack.h"

int main(void) {
  struct user_desc desc;
  memset(&desc, 0, sizeof desc);
  desc.entry_number = 0;
  desc.base_addr = 0;
  desc.limit = 0xfff;
  desc.seg_32bit = 1;
  desc.contents = 0;  // data segment
  desc.useable = 1;
  long ret = syscall(SYS_modify_ldt, 1, &desc, sizeof desc);
  if (ret == 0) succeeded("modify_ldt installed an LDT entry");
  int err = errno;
  if (err == ENOSYS) untestable("modify_ldt: ENOSYS: kernel without CONFIG_MODIFY_LDT_SYSCALL");
  blocked_errno("modify_ldt", err);
}
