// Stage: launcher (learning). What the recorder knows about each syscall: its name on the arch it
// was made on, which arguments a Call keeps, and which decoder (if any) finds the file accesses,
// programs, endpoints and names behind it. One table, in decode_calls.cpp.
#pragma once

#include <linux/seccomp.h>

#include <cstdint>
#include <string>
#include <unordered_map>

#include "compiler/arch/arch.h"
#include "compiler/learn/recording.h"

namespace polc::record {

// The calls whose pointers the recorder follows. Grouped, in this order (call_recorder relies on
// it): files and execs up to Ioctl (decode_files), network after it (decode_net).
enum class Decoder : uint8_t {
  None,
  Open, Openat, Openat2, Creat,
  Execve, Execveat,
  Mkdir, Mkdirat, Unlink, Unlinkat, Rmdir,
  Rename, Renameat, Renameat2, Link, Linkat, Symlink, Symlinkat, Mknod, Mknodat, Truncate, Ftruncate,
  Ioctl,
  Connect, Bind, Sendto, Send, Sendmsg, Sendmmsg, Write,
};

struct SyscallInfo {
  std::string name;  // "" when libseccomp's table has no name for the number
  uint8_t kept = 0;  // bit i: argument i is kept in the Call
  Decoder decoder = Decoder::None;
};

// Name lookups through libseccomp are slow (a search and an allocation): each (arch, nr) is
// looked up once and remembered.
class SyscallTable {
 public:
  const SyscallInfo& lookup(arch::Arch arch, int32_t nr);

 private:
  std::unordered_map<uint64_t, SyscallInfo> cache_;
  // Numbers without a name share this entry: a workload calling random numbers cannot grow the
  // cache past the table's size.
  SyscallInfo unknown_;
};

// The Call event of one notification: the kept arguments, the others 0.
learn::Call make_call(arch::Arch arch, const seccomp_data& data, const SyscallInfo& info);

}  // namespace polc::record
