// Stage: launcher. Deny rules the OS layer enforces (masked_denies.h).
#include "launcher/masked_denies.h"

#include <algorithm>
#include <string>

namespace polc::launcher {

namespace {

constexpr uint64_t kExecute = 1ull << 0;
constexpr uint64_t kIoctlDev = 1ull << 15;
// write_file, remove_dir, remove_file, make_char, make_dir, make_reg, make_sock, make_fifo,
// make_block, make_sym, refer, truncate (launcher/landlock_names.h): what EROFS refuses.
constexpr uint64_t kWriteClass = (1ull << 1) | (((1ull << 15) - 1) & ~((1ull << 4) - 1));

bool at_or_beneath(const std::string& path, const std::string& ancestor) {
  if (ancestor == "/" || path == ancestor) return true;
  return path.size() > ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
         path[ancestor.size()] == '/';
}

}  // namespace

uint64_t rights_refused_by(os::MountKind kind) {
  switch (kind) {
    case os::MountKind::Hide: return ~uint64_t{0};
    case os::MountKind::ReadOnly: return kWriteClass;
    case os::MountKind::NoExec: return kExecute;
    case os::MountKind::NoDev: return kIoctlDev;
    case os::MountKind::MinimalDev:
    case os::MountKind::Tmpfs: return 0;
  }
  return 0;
}

void drop_masked_denies(std::vector<FsRule>& denies, const os::OsSpec& spec) {
  if (!spec.mount_ns) return;  // no mount namespace: nothing is masked
  std::erase_if(denies, [&](const FsRule& deny) {
    uint64_t refused = 0;
    for (const os::Mount& m : spec.mounts)
      if (at_or_beneath(deny.path, m.path)) refused |= rights_refused_by(m.kind);
    return (deny.access & ~refused) == 0;
  });
}

}  // namespace polc::launcher
