// Stage: shared. Architecture names and ABI facts.
#include "compiler/arch/arch.h"

#include <seccomp.h>

namespace polc::arch {

namespace {
struct ArchInfo {
  Arch arch;
  std::string_view name;
  unsigned long_bits;
  uint32_t token;
  uint32_t audit;  // AUDIT_ARCH_*: what the kernel puts in seccomp_data.arch
  bool big_endian;
};
constexpr std::array<ArchInfo, 7> kInfo = {{
    {Arch::x86_64, "x86_64", 64, SCMP_ARCH_X86_64, 0xc000003e, false},
    {Arch::x86, "x86", 32, SCMP_ARCH_X86, 0x40000003, false},
    {Arch::x32, "x32", 32, SCMP_ARCH_X32, 0xc000003e, false},
    {Arch::aarch64, "aarch64", 64, SCMP_ARCH_AARCH64, 0xc00000b7, false},
    {Arch::arm, "arm", 32, SCMP_ARCH_ARM, 0x40000028, false},
    {Arch::riscv64, "riscv64", 64, SCMP_ARCH_RISCV64, 0xc00000f3, false},
    {Arch::s390x, "s390x", 64, SCMP_ARCH_S390X, 0x80000016, true},
}};
const ArchInfo& info(Arch a) { return kInfo[static_cast<size_t>(a)]; }
}  // namespace

std::string_view name(Arch a) { return info(a).name; }

std::optional<Arch> from_name(std::string_view n) {
  for (const auto& i : kInfo)
    if (i.name == n) return i.arch;
  return std::nullopt;
}

unsigned long_bits(Arch a) { return info(a).long_bits; }
uint32_t scmp_token(Arch a) { return info(a).token; }
uint32_t audit_arch(Arch a) { return info(a).audit; }
bool big_endian(Arch a) { return info(a).big_endian; }
unsigned register_bits(Arch a) { return kRegisters32 & bit(a) ? 32 : 64; }

std::vector<Arch> family_targets(Arch a, std::span<const Arch> targets) {
  std::vector<Arch> out = {a};
  for (Arch t : targets)
    if (t != a && family(t) == family(a)) out.push_back(t);
  return out;
}
std::optional<Arch> from_audit_arch(uint32_t audit, int nr) {
  // Every number from bit 30 up (negative ones included) counts as x32, as libseccomp's filters
  // decide it; the kernel runs none of them as an x86_64 syscall. -1 (a tracer skipping the call)
  // stays x86_64, again as libseccomp decides it.
  if (audit == 0xc000003e) return nr != -1 && static_cast<uint32_t>(nr) >= kX32SyscallBit ? Arch::x32 : Arch::x86_64;
  for (const auto& i : kInfo)
    if (i.audit == audit && i.arch != Arch::x32) return i.arch;
  return std::nullopt;
}
std::string_view supported_list() { return "x86_64, x86, x32, aarch64, arm, riscv64, s390x"; }

}  // namespace polc::arch
