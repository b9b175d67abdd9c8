// int80_syscall: make a 32-bit (i386) system call with `int $0x80` from 64-bit code. A filter that
// only checks x86_64 syscall numbers would decide it by the wrong table (i386's 20 is getpid,
// x86_64's 20 is writev), the classic way around a 64-bit-only seccomp filter.
// Stopped by: seccomp (foreign architectures, i386 included, are killed). Untestable where the
// kernel has no 32-bit syscall entry (the child then dies with SIGSEGV, confined or not).
#include "attack.h"

static void attempt(void* unused) {
  (void)unused;
  long ret = 20;  // __NR_getpid on i386
  __asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
  if (ret == (long)getpid()) succeeded("i386 getpid via int $0x80 returned our pid %ld", ret);
  if (ret == -38) untestable("int $0x80 answered ENOSYS: no 32-bit syscalls in this kernel");
  blocked("i386 getpid via int $0x80 returned %ld (%s)", ret, ret < 0 ? errname((int)-ret) : "not our pid");
}

int main(void) {
  pid_t pid = attack_fork();
  if (pid < 0) untestable("fork: %s", errname(errno));
  if (pid == 0) attempt(NULL);
  int status = 0;
  // The child reports a success itself; a policy that refuses wait4 leaves only its silence.
  if (waitpid(pid, &status, 0) < 0)
    blocked("int $0x80: the child reported no success (its status is unknown: waitpid: %s)", errname(errno));
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
    untestable("int $0x80 raised SIGSEGV: 32-bit syscalls are disabled in this kernel");
  blocked("int $0x80: the child was %s", wait_status_text(status));
}
