// Stage: sema. Per-arch syscall resolution through libseccomp.
#include "compiler/sema/syscall_table.h"

#include <seccomp.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <vector>

#include "compiler/sema/suggest.h"

namespace polc::sema {

namespace {

// Every syscall name of every supported arch, collected once by walking the number space that
// libseccomp knows (x32 numbers start at bit 30, arm's private calls at 0x0f0000).
const std::vector<std::string>& all_names() {
  static const std::vector<std::string> names = [] {
    std::set<std::string> set;
    for (arch::Arch a : arch::kAllArches) {
      std::vector<int> bases = {0};
      if (a == arch::Arch::x32) bases = {0x40000000};
      if (a == arch::Arch::arm) bases = {0, 0x0f0000};
      for (int base : bases) {
        for (int nr = base; nr < base + 1100; ++nr) {
          char* n = seccomp_syscall_resolve_num_arch(arch::scmp_token(a), nr);
          if (n != nullptr) {
            set.insert(n);
            std::free(n);  // NOLINT: libseccomp hands out malloc'd strings
          }
        }
      }
    }
    return std::vector<std::string>(set.begin(), set.end());
  }();
  return names;
}

}  // namespace

std::optional<int> syscall_number(std::string_view name, arch::Arch a) {
  const std::string n(name);
  const int nr = seccomp_syscall_resolve_name_arch(arch::scmp_token(a), n.c_str());
  // Negative values are libseccomp's error or its pseudo-numbers for syscalls the arch lacks.
  if (nr < 0) return std::nullopt;
  return nr;
}

bool is_known_syscall(std::string_view name) {
  // A direct lookup per arch is far cheaper than building the full name list, which is only
  // needed for suggestions after an error.
  for (arch::Arch a : arch::kAllArches)
    if (syscall_number(name, a)) return true;
  return false;
}

std::string closest_syscall(std::string_view name) {
  const auto& names = all_names();
  return closest_match(name, std::vector<std::string_view>(names.begin(), names.end()));
}

unsigned register_bits(arch::Arch a) { return a == arch::Arch::x86 || a == arch::Arch::arm ? 32 : 64; }

}  // namespace polc::sema
