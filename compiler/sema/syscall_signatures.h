// Stage: sema. Argument names and C types of the syscalls people filter on, so policies can write
// `socket(domain == AF_INET)` instead of `socket(arg0 == 2)`, and so sema knows each argument's
// width: the kernel truncates `int` arguments to 32 bits, and a filter that compares all 64 bits of
// such an argument can be bypassed by setting the upper half.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "compiler/arch/arch.h"

namespace polc::sema {

enum class ArgType : uint8_t {
  Int,    // int: 32 bits, signed
  UInt,   // unsigned int: 32 bits
  UShort, // unsigned short (umode_t, the 16-bit uids of x86 and arm): 16 bits
  Long,   // long: the arch's long width, signed
  ULong,  // unsigned long / size_t / off_t-like: the arch's long width
  Ptr,    // a user pointer: the arch's long width
  Fd,     // a file descriptor (int): 32 bits, signed
};

struct ArgSpec {
  std::string_view name;
  ArgType type;
};

// The arguments of `syscall` on `arch` in register order (arg0 first), or nullopt when polc has
// no signature for it (policies may then only use arg0..arg5, compared at the arch's long width).
// Per-arch because some syscalls (clone on s390x) take their arguments in a different order.
std::optional<std::span<const ArgSpec>> syscall_signature(std::string_view syscall, arch::Arch arch);

// Width in bits the kernel uses for an argument of `type` on `arch` (32 or 64).
unsigned arg_bits(ArgType type, arch::Arch arch);
bool arg_signed(ArgType type);

}  // namespace polc::sema
