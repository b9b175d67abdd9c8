// Unit tests of the architecture table.
#include <doctest/doctest.h>

#include <seccomp.h>

#include "compiler/arch/arch.h"

using namespace polc::arch;

TEST_CASE("every architecture round-trips through its name") {
  for (Arch a : kAllArches) {
    auto back = from_name(name(a));
    REQUIRE(back);
    CHECK(*back == a);
    CHECK(std::string_view(supported_list()).find(name(a)) != std::string_view::npos);
  }
  CHECK(!from_name("amd64"));
  CHECK(!from_name(""));
}

TEST_CASE("ABI facts match libseccomp and the kernel's audit arch values") {
  CHECK(scmp_token(Arch::x86_64) == SCMP_ARCH_X86_64);
  CHECK(scmp_token(Arch::aarch64) == SCMP_ARCH_AARCH64);
  CHECK(seccomp_arch_resolve_name("x86_64") == scmp_token(Arch::x86_64));
  CHECK(seccomp_arch_resolve_name("x32") == scmp_token(Arch::x32));
  CHECK(seccomp_arch_resolve_name("riscv64") == scmp_token(Arch::riscv64));
  CHECK(long_bits(Arch::x86_64) == 64);
  CHECK(long_bits(Arch::x86) == 32);
  CHECK(long_bits(Arch::x32) == 32);
  CHECK(long_bits(Arch::arm) == 32);
}

TEST_CASE("arch sets have one bit per architecture") {
  ArchSet all = 0;
  for (Arch a : kAllArches) {
    CHECK((all & bit(a)) == 0);
    all |= bit(a);
  }
  CHECK(all == kAllArchSet);
}

TEST_CASE("width masks keep the low bits an argument of that width holds") {
  static_assert(width_mask(64) == ~uint64_t{0});
  CHECK(width_mask(64) == 0xffffffffffffffffull);
  CHECK(width_mask(32) == 0xffffffffull);
  CHECK(width_mask(16) == 0xffffull);
  CHECK(width_mask(1) == 1);
  CHECK(width_mask(0) == 0);
  CHECK(width_mask(65) == ~uint64_t{0});
}

TEST_CASE("kernel-entry families group the arches one kernel serves") {
  for (Arch a : {Arch::x86_64, Arch::x86, Arch::x32})
    CHECK(family(a) == (bit(Arch::x86_64) | bit(Arch::x86) | bit(Arch::x32)));
  for (Arch a : {Arch::aarch64, Arch::arm}) CHECK(family(a) == (bit(Arch::aarch64) | bit(Arch::arm)));
  CHECK(family(Arch::riscv64) == bit(Arch::riscv64));
  CHECK(family(Arch::s390x) == bit(Arch::s390x));
  // Families partition the arches: each arch is in its own family and in no other.
  for (Arch a : kAllArches)
    for (Arch b : kAllArches) CHECK(((family(a) & bit(b)) != 0) == (family(a) == family(b)));

  const std::vector<Arch> targets = {Arch::aarch64, Arch::x86, Arch::x86_64, Arch::arm, Arch::x32, Arch::s390x};
  CHECK(family_targets(Arch::x86_64, targets) == std::vector<Arch>{Arch::x86_64, Arch::x86, Arch::x32});
  CHECK(family_targets(Arch::arm, targets) == std::vector<Arch>{Arch::arm, Arch::aarch64});
  CHECK(family_targets(Arch::s390x, targets) == std::vector<Arch>{Arch::s390x});
  // The arch itself comes first even when the targets do not name it.
  CHECK(family_targets(Arch::riscv64, targets) == std::vector<Arch>{Arch::riscv64});
}

TEST_CASE("32-bit argument registers on x86 and arm only") {
  for (Arch a : kAllArches) CHECK(register_bits(a) == ((kRegisters32 & bit(a)) ? 32u : 64u));
  CHECK(register_bits(Arch::x86) == 32);
  CHECK(register_bits(Arch::arm) == 32);
  CHECK(register_bits(Arch::x32) == 64);
}
