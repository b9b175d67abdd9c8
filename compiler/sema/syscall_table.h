// Stage: sema. Syscall names and numbers per architecture, from libseccomp's tables, plus
// did-you-mean suggestions for names no architecture knows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <string_view>

#include "compiler/arch/arch.h"

namespace polc::sema {

// The syscall number of `name` on `arch` (x32 numbers include bit 30), or nullopt when the arch
// does not have that syscall.
std::optional<int> syscall_number(std::string_view name, arch::Arch arch);

// True when at least one supported architecture has a syscall called `name`.
bool is_known_syscall(std::string_view name);

// Every syscall `arch` has, by number (x32's with bit 30 set), sorted: what an audit record's
// number names.
std::vector<std::pair<int64_t, std::string>> syscall_names(arch::Arch arch);

// The known syscall name closest to `name` by edit distance, or "" when none is close.
std::string closest_syscall(std::string_view name);

}  // namespace polc::sema
