// Stage: launcher (the OS layer). A transactional workspace: the payload writes into an overlay
// mounted on the workspace directory, whose upper layer lives in a private staging directory; when
// the run ends, sbx-exec either commits that layer into the directory (workspace_commit.h) or
// throws it away (discard_workspace). docs/backends/os-workspace.md says it for users.
//
// The life of one workspace, and which process does what:
//   1. prepare_workspace (the supervisor, before the fork, in the host's mount namespace): makes
//      the staging directory <parent>/run-<random>/ (0700) with upper/ and work/ in it.
//   2. mount_workspace (the payload's child, in its own mount namespace, usually through
//      apply_mounts): the overlay lowerdir=<workspace>, upperdir, workdir, mounted onto the
//      workspace directory. redirect_dir=nofollow, metacopy=off, index=off, xino=off: every
//      changed file is copied up whole and a renamed directory is a copy plus a whiteout, so the
//      upper layer alone says everything that changed (it holds no reference into the lower
//      layer). nofollow rather than off: where the kernel is built with redirect_always_follow,
//      "off" means "follow" (redirect xattrs found in the lower layer are followed), and the
//      kernel refuses it together with userxattr.
//   3. commit_workspace or discard_workspace (the supervisor, after the payload's mount
//      namespace is gone: every process of the run has ended).
//
// Overlay's rule: the workspace directory must not be changed by anyone else while the overlay is
// mounted (the kernel calls the result undefined: changes may or may not show in the payload's
// view). The commit then writes the payload's changes over whatever the directory holds at that
// time, file by file (see workspace_commit.h).
#pragma once

#include <string>

#include "launcher/os/os_spec.h"

namespace polc::launcher::os {

// Where staging directories live unless sbx-exec is told otherwise (--workspace-staging): on the
// root filesystem (a commit copies across filesystems anyway) and out of tmpfs-backed /tmp, so a
// large run does not fill memory.
inline constexpr const char* kDefaultStagingParent = "/var/tmp/polc-workspaces";

struct PreparedWorkspace {
  Workspace spec;
  std::string staging;  // <parent>/run-<random>: 0700, owned by the supervisor's user
  std::string upper;    // staging + "/upper": the overlay's upper layer (the payload's changes)
  std::string work;     // staging + "/work": the overlay's work directory
  // The overlay is mounted with userxattr (its whiteouts and opaque marks are user.overlay.*
  // rather than trusted.overlay.*): for a payload in a user namespace. The commit reads only the
  // form the overlay was mounted with, so that a payload cannot forge the other one with setxattr.
  bool user_xattr = false;
};

// Makes the staging directory for `workspace` under `staging_parent` (created 0700 when missing;
// refused when it exists but is not a directory owned by this user and closed to others, or when
// any component is a symbolic link). Refuses, with a message that says why, a workspace that is
// missing, not a directory, reached through a symbolic link or on a read-only mount, and a
// staging parent on a filesystem that cannot hold an overlay's upper layer (tmpfs, ext2/3/4, xfs
// and btrfs can) or that lies inside the workspace. Throws launcher::Failure.
PreparedWorkspace prepare_workspace(const Workspace& workspace,
                                    const std::string& staging_parent = kDefaultStagingParent, bool user_xattr = false);

// Mounts the overlay onto the workspace directory; call in the payload's own mount namespace
// (after unshare(CLONE_NEWNS) and making / private: apply_mounts does both). The overlay mount
// keeps the nosuid/nodev/noexec flags of the mount the workspace is on. Throws launcher::Failure.
void mount_workspace(const PreparedWorkspace& workspace);

// Removes the staging directory and everything in it, never following a symbolic link. The
// workspace directory itself is not touched: discarding is only not committing. Throws
// launcher::Failure when something cannot be removed (the message names it).
void discard_workspace(const PreparedWorkspace& workspace);

// Removes the entry `name` in the directory `dir_fd`, recursively when it is a directory, never
// following a symbolic link and never crossing into another mount (openat2 RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV). Returns 0, or the errno of the first failure (and then
// `failed` names the path below dir_fd that failed). Removing a missing entry succeeds.
int remove_tree_at(int dir_fd, const std::string& name, std::string& failed);

}  // namespace polc::launcher::os
