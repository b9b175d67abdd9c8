// x32_syscall: make an x32 ABI system call (number | 0x40000000) from x86_64 code, a second syscall
// table that a filter checking only x86_64 numbers would misread.
// Stopped by: seccomp (numbers from 0x40000000 up are killed unless x32 is a target).
// Untestable where the kernel is built without x32 (ENOSYS).
#include <sys/syscall.h>

#include "attack.h"

int main(void) {
  long ret = syscall(0x40000000L | SYS_getpid);
  if (ret == (long)getpid()) succeeded("x32 getpid returned our pid %ld", ret);
  if (ret < 0 && errno == ENOSYS) untestable("x32 getpid answered ENOSYS: kernel without CONFIG_X86_X32_ABI");
  blocked("x32 getpid returned %ld (%s)", ret, ret < 0 ? errname(errno) : "not our pid");
}
