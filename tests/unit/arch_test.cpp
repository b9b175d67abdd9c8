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
