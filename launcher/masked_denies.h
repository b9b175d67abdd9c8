// Stage: launcher. Deny rules the OS layer enforces. Landlock only grants, so before anything is
// applied sbx-exec refuses a deny that overlaps a grant on this host's paths (landlock_apply.cpp).
// A build with the os backend enforces such a deny with a mask in the payload's mount namespace
// instead (os.json: docs/backends/os.md): a deny whose every right is refused by a mask on its
// path, or on a directory above it, is the mount layer's to enforce, not Landlock's to check.
// The mask itself refuses a path that is a symbolic link (launcher/os/mounts.h), so the host
// cannot void it the way a link can void a deny Landlock checks by path.
#pragma once

#include <cstdint>
#include <vector>

#include "launcher/landlock_policy.h"
#include "launcher/os/os_spec.h"

namespace polc::launcher {

// The LANDLOCK_ACCESS_FS_* rights a mount of `kind` refuses beneath its path: every right for a
// hidden path, the write-class rights for a read-only one, execute for noexec, ioctl_dev for nodev;
// none for a tmpfs or /dev (they replace the tree, and grant what the policy's rules grant there).
uint64_t rights_refused_by(os::MountKind kind);

// Removes from `denies` every rule whose rights the mounts of `spec` refuse on its path. The rest
// stay for the host check.
void drop_masked_denies(std::vector<FsRule>& denies, const os::OsSpec& spec);

}  // namespace polc::launcher
