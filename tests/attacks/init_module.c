// init_module: hand the kernel a module image. A garbage image is refused by the loader itself,
// but reaching the loader (any error other than EPERM) proves the sandbox would load real code.
// Stopped by: seccomp (std.hardening kills @kernel_modules). Untestable on a kernel built without
// module support (ENOSYS).
#include <sys/syscall.h>

#include "attack.h"

int main(void) {
  static char image[64] = "not an ELF module";
  long ret = syscall(SYS_init_module, image, sizeof image, "");
  if (ret == 0) succeeded("init_module loaded the image");
  int err = errno;
  if (err == ENOSYS) untestable("init_module: ENOSYS: this kernel has no module support");
  if (err == EPERM || err == EACCES) blocked_errno("init_module", err);
  succeeded("init_module reached the module loader, which rejected the dummy image with %s", errname(err));
}
