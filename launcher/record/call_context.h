// Stage: launcher (learning). One notified call as the decoders see it: who made it, on which
// arch, with which arguments, and the caller's memory to follow its pointers into.
#pragma once

#include <limits.h>
#include <linux/seccomp.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "compiler/arch/arch.h"
#include "launcher/record/tracee_memory.h"

namespace polc::record {

struct CallContext {
  pid_t pid;  // the calling thread, as seccomp names it
  arch::Arch arch;
  const seccomp_data& data;
  const TraceeMemory& memory;
  // Set by a decoder when the call should have given a file access, an exec or an endpoint but
  // could not be decoded (the caller's memory or its /proc entries unreadable to this process):
  // what the call would touch is unknown. A judged call that is undecidable is refused.
  bool& undecidable;

  uint64_t arg(unsigned i) const { return data.args[i]; }
  // A descriptor or flags argument: the kernel reads the low 32 bits as an int.
  int int_arg(unsigned i) const { return static_cast<int>(static_cast<uint32_t>(data.args[i])); }
  // A path argument, as the kernel would take it (at most PATH_MAX bytes with the NUL).
  std::optional<std::string> path_arg(unsigned i) const { return memory.read_string(data.args[i], PATH_MAX - 1); }
  // Whether pointers and longs are 32 bits wide for this caller (x86, arm, x32's compat structs).
  bool compat() const { return arch == arch::Arch::x86 || arch == arch::Arch::arm || arch == arch::Arch::x32; }
};

}  // namespace polc::record
