// Stage: backends/landlock. The names landlock.json uses for Landlock's access bits: the kernel's
// LANDLOCK_ACCESS_FS_*, LANDLOCK_ACCESS_NET_* and LANDLOCK_SCOPE_* suffixes in lowercase, so any
// launcher can map them back without polc's headers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace polc::backends::landlock {

// Names of the set filesystem-right bits, in bit order.
std::vector<std::string> fs_access_names(uint64_t bits);
// Names of the set scope bits (ir::scope), in bit order.
std::vector<std::string> scope_names(uint64_t bits);

}  // namespace polc::backends::landlock
