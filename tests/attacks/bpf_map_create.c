// bpf_map_create: create an eBPF map, the entry point of the bpf() syscall surface (verifier bugs
// are a standing source of kernel privilege escalations).
// Stopped by: seccomp (std.hardening kills @bpf).
#include <linux/bpf.h>
#include <sys/syscall.h>

#include "attack.h"

int main(void) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 8;
  attr.max_entries = 1;
  long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
  if (fd < 0) blocked_errno("bpf(BPF_MAP_CREATE)", errno);
  succeeded("bpf(BPF_MAP_CREATE) returned map fd %ld", fd);
}
