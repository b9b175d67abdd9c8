// Stage: sema. Argument names and C types of the syscalls people filter on, so policies can write
// `socket(domain == AF_INET)` instead of `socket(arg0 == 2)`, and so sema knows each argument's
// width: the kernel truncates `int` arguments to 32 bits, and a filter that compares all 64 bits of
// such an argument can be bypassed by setting the upper half.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "compiler/arch/arch.h"

namespace polc::sema {

enum class ArgType : uint8_t {
  Int,     // int: 32 bits, signed
  UInt,    // unsigned int: 32 bits
  UShort,  // unsigned short (umode_t, the 16-bit uids of x86 and arm): 16 bits
  Long,    // long: the arch's long width, signed
  ULong,   // unsigned long / size_t / off_t-like: the arch's long width
  Ptr,     // a user pointer: the arch's long width
  Fd,      // a file descriptor (int): 32 bits, signed
  Bit0,    // only the lowest bit counts (fcntl's F_SETFD keeps `argi & FD_CLOEXEC`): 1 bit
};

struct ArgSpec {
  std::string_view name;
  ArgType type;
};

// The arguments of `syscall` on `arch` in register order (arg0 first), or nullopt when polc has
// no signature for it (policies may then only use arg0..arg5, compared at the arch's long width).
// Per-arch because some syscalls (clone on s390x) take their arguments in a different order.
std::optional<std::span<const ArgSpec>> syscall_signature(std::string_view syscall, arch::Arch arch);

// A value of a selecting argument (a command, an option, an operation), named for the docs.
struct SelectorValue {
  std::string_view name;
  uint64_t value;
};

// An argument the kernel reads at another type for some values of another argument: fcntl reads
// `(int)arg` for F_SETFD but the whole register for F_GETLK. When `selector & selector_mask` is one
// of `values`, the kernel reads `arg` as `narrow`; otherwise as the signature's type. Conditions on
// `arg` are lowered per class of the selector (see docs/argument-widths.md), so that they compare
// the value the kernel reads whatever the selector is.
struct DependentWidth {
  std::string_view arg;       // the argument whose width depends on the selector
  std::string_view selector;  // the argument whose value selects it
  uint64_t selector_mask;     // the selector bits the kernel switches on (futex: op & FUTEX_CMD_MASK)
  ArgType narrow;
  std::span<const SelectorValue> values;
  std::string_view reader;  // the kernel function that reads `arg` narrowed (for the docs)
};

// The dependent widths of `syscall` on `arch` (empty when none). For one `arg`, the `values` of
// different entries are disjoint, and every entry's `narrow` is no wider than the signature's type.
std::span<const DependentWidth> dependent_widths(std::string_view syscall, arch::Arch arch);

// Width in bits the kernel uses for an argument of `type` on `arch` (32 or 64).
unsigned arg_bits(ArgType type, arch::Arch arch);
bool arg_signed(ArgType type);

}  // namespace polc::sema
