// Stage: launcher (the OS layer). The kernel's mount API (open_tree, move_mount, mount_setattr,
// fsopen/fsconfig/fsmount, Linux 5.2 and 5.12) and openat2 (5.6), called through syscall(): the
// C library of some supported distributions has no wrappers for them. Every path the OS layer
// mounts onto is opened here without following any symbolic link, and mounted onto through its
// descriptor, so that nothing a payload or another user renamed or linked between the check
// and the mount can redirect it.
#pragma once

#include <linux/mount.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "compiler/posix/unique_fd.h"

namespace polc::launcher::os {

long sys_openat2(int dir_fd, const char* path, uint64_t flags, uint64_t mode, uint64_t resolve);
long sys_open_tree(int dir_fd, const char* path, unsigned flags);
long sys_move_mount(int from_fd, const char* from_path, int to_fd, const char* to_path, unsigned flags);
long sys_mount_setattr(int dir_fd, const char* path, unsigned flags, uint64_t attr_set, uint64_t attr_clr);
long sys_fsopen(const char* fs_name, unsigned flags);
long sys_fsconfig(int fs_fd, unsigned cmd, const char* key, const void* value, int aux);
long sys_fsmount(int fs_fd, unsigned flags, unsigned attr_flags);

// Opens the absolute `path` as O_PATH (plus `flags`, e.g. O_DIRECTORY) with openat2
// RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS: a symbolic link in any component, the last one
// included, fails (ELOOP). Returns the descriptor, or an invalid one with errno set.
UniqueFd open_path_no_links(const std::string& path, uint64_t flags = 0);

// As open_path_no_links, but throws (naming `what`): ELOOP says a symbolic link is on the way.
UniqueFd open_path_no_links_or_fail(const std::string& path, const std::string& what, uint64_t flags = 0);

// A new detached mount of the filesystem type `type` (fsopen + fsconfig + fsmount) with the
// string options `options` ({key, value}; an empty value sets a flag) and MOUNT_ATTR_* flags
// `attrs`. Throws with the kernel's own message (the fs context's log) when refused.
UniqueFd make_detached_mount(const std::string& type, const std::vector<std::pair<std::string, std::string>>& options,
                             unsigned attrs, const std::string& what);

// Attaches the detached mount `tree` onto the object `target` refers to (move_mount with both
// descriptors, no path looked up). Throws naming `what`.
void attach_mount(int tree, int target, const std::string& what);

// A detached copy of the mount tree at `source` (open_tree OPEN_TREE_CLONE, AT_RECURSIVE when
// `recursive`). Throws naming `what`.
UniqueFd clone_mount(int source, bool recursive, const std::string& what);

// Sets MOUNT_ATTR_* `attrs` on the mount `tree` (and every mount beneath it when `recursive`),
// leaving every other flag as it is: the flags the kernel locks (nosuid, nodev, noexec, ro of a
// mount inherited from a more privileged namespace) are never cleared. Throws naming `what`.
void set_mount_attrs(int tree, uint64_t attrs, bool recursive, const std::string& what);

}  // namespace polc::launcher::os
