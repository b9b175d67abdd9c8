// Stage: ir (vocabulary). The names of Landlock's access bits, each with the ABI that introduced
// it: the kernel's LANDLOCK_ACCESS_FS_*, LANDLOCK_ACCESS_NET_* and LANDLOCK_SCOPE_* suffixes in
// lowercase. Policies write these names, landlock.json carries them, reports print them; this is
// the compiler's one table of them (sema resolves them, the IR and the Landlock backend print them).
//
// sbx-exec reads the same names from landlock.json with its own table (launcher/landlock_names.h),
// on purpose: see that file. tests/unit/landlock_names_test.cpp checks that both tables agree, name
// for name, bit for bit and ABI for ABI.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/vocab.h"

namespace polc::ir {

// Landlock network access rights, as the kernel's LANDLOCK_ACCESS_NET_* bits (ABI 4).
namespace net_right {
inline constexpr uint64_t kBindTcp = 1ull << 0;
inline constexpr uint64_t kConnectTcp = 1ull << 1;
}  // namespace net_right

struct LandlockName {
  std::string_view name;
  uint64_t bit = 0;
  unsigned abi = 1;  // the first Landlock ABI that knows the bit
};

// Every table is in bit order, one entry per bit from bit 0 up.
inline constexpr std::array<LandlockName, 16> kFsRightNames = {{
    {"execute", fs_right::kExecute, 1},
    {"write_file", fs_right::kWriteFile, 1},
    {"read_file", fs_right::kReadFile, 1},
    {"read_dir", fs_right::kReadDir, 1},
    {"remove_dir", fs_right::kRemoveDir, 1},
    {"remove_file", fs_right::kRemoveFile, 1},
    {"make_char", fs_right::kMakeChar, 1},
    {"make_dir", fs_right::kMakeDir, 1},
    {"make_reg", fs_right::kMakeReg, 1},
    {"make_sock", fs_right::kMakeSock, 1},
    {"make_fifo", fs_right::kMakeFifo, 1},
    {"make_block", fs_right::kMakeBlock, 1},
    {"make_sym", fs_right::kMakeSym, 1},
    {"refer", fs_right::kRefer, 2},
    {"truncate", fs_right::kTruncate, 3},
    {"ioctl_dev", fs_right::kIoctlDev, 5},
}};
inline constexpr std::array<LandlockName, 2> kNetRightNames = {{
    {"bind_tcp", net_right::kBindTcp, kNetworkAbi},
    {"connect_tcp", net_right::kConnectTcp, kNetworkAbi},
}};
inline constexpr std::array<LandlockName, 2> kScopeNames = {{
    {"abstract_unix_socket", scope::kAbstractUnixSocket, kScopeAbi},
    {"signal", scope::kSignal, kScopeAbi},
}};
// The layers `landlock best_effort` names (bits of Filesystem::best_effort, not kernel bits).
inline constexpr std::array<LandlockName, 2> kLayerNames = {{
    {"network", layer::kNetwork, kNetworkAbi},
    {"scope", layer::kScope, kScopeAbi},
}};

// The name of the one bit `bit` in `table`; "" when `bit` is not exactly one bit of it.
constexpr std::string_view landlock_name(uint64_t bit, std::span<const LandlockName> table) {
  for (const LandlockName& n : table)
    if (n.bit == bit) return n.name;
  return "";
}

// The names of the bits set in `bits`, in bit order (bits the table does not know are left out).
inline std::vector<std::string> landlock_names(uint64_t bits, std::span<const LandlockName> table) {
  std::vector<std::string> out;
  for (const LandlockName& n : table)
    if (bits & n.bit) out.emplace_back(n.name);
  return out;
}

// "read_file", "make_sym", ...: the name of one fs_right bit ("" otherwise).
constexpr std::string_view fs_right_name(uint64_t bit) { return landlock_name(bit, kFsRightNames); }
constexpr std::string_view net_right_name(uint64_t bit) { return landlock_name(bit, kNetRightNames); }
inline std::vector<std::string> fs_right_names(uint64_t bits) { return landlock_names(bits, kFsRightNames); }
inline std::vector<std::string> net_right_names(uint64_t bits) { return landlock_names(bits, kNetRightNames); }
inline std::vector<std::string> scope_names(uint64_t bits) { return landlock_names(bits, kScopeNames); }
inline std::vector<std::string> layer_names(uint64_t bits) { return landlock_names(bits, kLayerNames); }

}  // namespace polc::ir
