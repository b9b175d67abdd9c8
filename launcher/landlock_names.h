// Stage: launcher. The names landlock.json (polc.landlock/1) gives Landlock's access bits, as
// sbx-exec reads them: the kernel's LANDLOCK_ACCESS_FS_*, LANDLOCK_ACCESS_NET_* and
// LANDLOCK_SCOPE_* values named by their lowercase suffix, each with the first Landlock ABI that
// knows it.
//
// A deliberate second reading, kept apart from the compiler's table (compiler/ir/landlock_names.h):
// - landlock.json is a format any launcher may read without polc's headers; sbx-exec is one such
//   reader, and links none of the compiler's stages (launcher/CMakeLists.txt).
// - Bundles are signed and outlive the polc that built them. A right renamed or a bit moved in the
//   compiler's table must not silently change what this launcher accepts or which bits it asks
//   the kernel for. With two tables, such a change fails tests/unit/landlock_names_test.cpp (both
//   tables agree name for name, bit for bit and ABI for ABI, and with <linux/landlock.h> where it
//   defines the bit) instead of changing both sides at once.
#pragma once

#include <cstdint>

namespace polc::launcher {

struct LandlockName {
  const char* name;
  uint64_t bit;
  int abi;  // first Landlock ABI that knows it
};

inline constexpr LandlockName kFsRights[] = {
    {"execute", 1ull << 0, 1},    {"write_file", 1ull << 1, 1}, {"read_file", 1ull << 2, 1},
    {"read_dir", 1ull << 3, 1},   {"remove_dir", 1ull << 4, 1}, {"remove_file", 1ull << 5, 1},
    {"make_char", 1ull << 6, 1},  {"make_dir", 1ull << 7, 1},   {"make_reg", 1ull << 8, 1},
    {"make_sock", 1ull << 9, 1},  {"make_fifo", 1ull << 10, 1}, {"make_block", 1ull << 11, 1},
    {"make_sym", 1ull << 12, 1},  {"refer", 1ull << 13, 2},     {"truncate", 1ull << 14, 3},
    {"ioctl_dev", 1ull << 15, 5},
};
inline constexpr LandlockName kNetRights[] = {{"bind_tcp", 1ull << 0, 4}, {"connect_tcp", 1ull << 1, 4}};
inline constexpr LandlockName kScopes[] = {{"abstract_unix_socket", 1ull << 0, 6}, {"signal", 1ull << 1, 6}};

}  // namespace polc::launcher
