// Stage: sema. Named constants usable in syscall argument conditions (address families, socket
// types, open/clone/prot/map flags, ioctl requests, personality values) and errno names.
// Values are per architecture because the kernel ABI differs (e.g. O_DIRECTORY on arm/aarch64).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "compiler/arch/arch.h"

namespace polc::sema {

// The value of a named constant on `arch`, as the 64-bit pattern the kernel sees (negative values
// are not used by any constant here). nullopt when the name is unknown.
std::optional<uint64_t> constant_value(std::string_view name, arch::Arch arch);

// The category a constant belongs to ("address family", "socket type", "open flag", "clone flag",
// "ioctl request", ...), for explanations; empty when unknown.
std::string_view constant_category(std::string_view name);

// errno value for a name such as "EPERM" on `arch`; nullopt when unknown.
std::optional<uint16_t> errno_value(std::string_view name, arch::Arch arch);

// Every constant name (not errno names), sorted, for did-you-mean suggestions.
const std::vector<std::string_view>& all_constant_names();
// Every errno name, sorted.
const std::vector<std::string_view>& all_errno_names();

}  // namespace polc::sema
