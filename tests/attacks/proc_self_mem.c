// proc_self_mem: write through /proc/self/mem into a read-only mapping of our own (the kernel's
// FOLL_FORCE writes ignore page protections): the usual way to patch code or a seccomp-checked
// argument in place, and to bypass W^X.
// Stopped by: Landlock (nothing beneath /proc is writable or readable).
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#include "attack.h"

int main(void) {
  long page = sysconf(_SC_PAGESIZE);
  char* ro = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ro == MAP_FAILED) untestable("mmap: %s", errname(errno));
  strcpy(ro, "original");
  if (mprotect(ro, (size_t)page, PROT_READ) != 0) untestable("mprotect: %s", errname(errno));
  int fd = open("/proc/self/mem", O_RDWR);
  if (fd < 0) blocked_errno("open /proc/self/mem", errno);
  const char patch[] = "patched";
  if (pwrite(fd, patch, sizeof patch, (off_t)(uintptr_t)ro) != (ssize_t)sizeof patch)
    blocked_errno("pwrite /proc/self/mem", errno);
  if (strcmp(ro, "patched") != 0) blocked("pwrite succeeded but the read-only page still reads \"%s\"", ro);
  succeeded("patched a read-only page through /proc/self/mem (now \"%s\")", ro);
}
