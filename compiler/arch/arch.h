// Stage: shared by sema, ir and backends. The target architectures polc knows, their names and ABI
// facts. Deliberately tiny and dependency-free so every stage can include it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace polc::arch {

// Order is the canonical order used in IR and artifacts (stable: never reorder, only append).
enum class Arch : uint8_t { x86_64, x86, x32, aarch64, arm, riscv64, s390x };

inline constexpr std::array<Arch, 7> kAllArches = {Arch::x86_64, Arch::x86,     Arch::x32,  Arch::aarch64,
                                                   Arch::arm,    Arch::riscv64, Arch::s390x};

// A set of arches, one bit per Arch enumerator (for per-arch tables).
using ArchSet = uint8_t;
constexpr ArchSet bit(Arch a) { return static_cast<ArchSet>(1u << static_cast<unsigned>(a)); }
inline constexpr ArchSet kAllArchSet = [] {
  ArchSet s = 0;
  for (Arch a : kAllArches) s |= bit(a);
  return s;
}();

// Kernel-entry families: the arches whose syscalls a process of one of them can make, because one
// kernel serves them all (x86_64, x32 and x86 on an x86_64 kernel; aarch64 and arm on arm64). A
// seccomp filter installed by any member sees the calls of every member. riscv64 and s390x stand
// alone. Also what the kernel's uapi headers group together (arm's and arm64's open flags).
inline constexpr ArchSet kX86Family = bit(Arch::x86_64) | bit(Arch::x86) | bit(Arch::x32);
inline constexpr ArchSet kArmFamily = bit(Arch::aarch64) | bit(Arch::arm);
constexpr ArchSet family(Arch a) {
  if (kX86Family & bit(a)) return kX86Family;
  if (kArmFamily & bit(a)) return kArmFamily;
  return bit(a);
}
// The members of `a`'s family among `targets`: `a` first, the others in `targets`' order. What one
// seccomp program for `a` decides.
std::vector<Arch> family_targets(Arch a, std::span<const Arch> targets);

// The arches whose syscall argument registers are 32 bits wide (see register_bits).
inline constexpr ArchSet kRegisters32 = bit(Arch::x86) | bit(Arch::arm);

// The spelling used in .sbx `targets` and in artifact names (seccomp.<name>.bpf).
std::string_view name(Arch a);
std::optional<Arch> from_name(std::string_view name);

// Width in bits of a native register (`unsigned long`): 32 on x86, x32's syscall args are 64-bit
// registers but the C ABI's long is 32 bits, so x32 reports 32 here.
unsigned long_bits(Arch a);

// libseccomp's architecture token (SCMP_ARCH_*). It equals the AUDIT_ARCH_* value except for x32,
// whose token is private to libseccomp.
uint32_t scmp_token(Arch a);

// The AUDIT_ARCH_* value the kernel puts in seccomp_data.arch. x32 shares x86_64's value; its
// syscall numbers carry kX32SyscallBit.
uint32_t audit_arch(Arch a);
inline constexpr uint32_t kX32SyscallBit = 0x40000000;

// Which target a (seccomp_data.arch, nr) pair belongs to; nullopt for an arch polc does not know.
// On x86_64's audit value, every number from 0x40000000 up (as unsigned), except -1, is an x32 call.
std::optional<Arch> from_audit_arch(uint32_t audit, int nr);

// Byte order of the arch: seccomp_data's 64-bit arguments and BPF programs are in this order.
bool big_endian(Arch a);

// Width of the syscall argument registers the kernel hands to seccomp: 32 on x86 and arm (also
// under a 64-bit kernel, where they are zero-extended), 64 elsewhere, x32 included.
unsigned register_bits(Arch a);

// The low `bits` bits set: the values an argument of that width can hold, as the kernel reads it
// (a 32-bit argument ignores the upper half of its register). 64 or more: every bit.
constexpr uint64_t width_mask(unsigned bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

// Comma-separated list of every supported name, for diagnostics.
std::string_view supported_list();

}  // namespace polc::arch
