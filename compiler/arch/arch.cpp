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
};
constexpr std::array<ArchInfo, 7> kInfo = {{
    {Arch::x86_64, "x86_64", 64, SCMP_ARCH_X86_64},
    {Arch::x86, "x86", 32, SCMP_ARCH_X86},
    {Arch::x32, "x32", 32, SCMP_ARCH_X32},
    {Arch::aarch64, "aarch64", 64, SCMP_ARCH_AARCH64},
    {Arch::arm, "arm", 32, SCMP_ARCH_ARM},
    {Arch::riscv64, "riscv64", 64, SCMP_ARCH_RISCV64},
    {Arch::s390x, "s390x", 64, SCMP_ARCH_S390X},
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
std::string_view supported_list() { return "x86_64, x86, x32, aarch64, arm, riscv64, s390x"; }

}  // namespace polc::arch
