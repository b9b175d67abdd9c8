// Stage: backends/landlock. Access-bit names for landlock.json.
#include "backends/landlock/access_names.h"

#include <array>
#include <string_view>

#include "compiler/ir/vocab.h"

namespace polc::backends::landlock {

namespace {

// Indexed by bit position, as LANDLOCK_ACCESS_FS_* numbers them.
constexpr std::array<std::string_view, 16> kFsNames = {
    "execute",  "write_file", "read_file", "read_dir",  "remove_dir", "remove_file", "make_char", "make_dir",
    "make_reg", "make_sock",  "make_fifo", "make_block", "make_sym",  "refer",       "truncate",  "ioctl_dev"};
constexpr std::array<std::string_view, 2> kScopeNames = {"abstract_unix_socket", "signal"};

template <size_t N>
std::vector<std::string> names_of(uint64_t bits, const std::array<std::string_view, N>& table) {
  std::vector<std::string> out;
  for (size_t i = 0; i < N; ++i)
    if (bits & (uint64_t{1} << i)) out.emplace_back(table[i]);
  return out;
}

}  // namespace

std::vector<std::string> fs_access_names(uint64_t bits) { return names_of(bits, kFsNames); }
std::vector<std::string> scope_names(uint64_t bits) { return names_of(bits, kScopeNames); }

}  // namespace polc::backends::landlock
