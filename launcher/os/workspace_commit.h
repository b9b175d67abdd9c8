// Stage: launcher (the OS layer). Committing a workspace: the overlay's upper layer (the
// payload's changes, see workspace.h) applied to the workspace directory after the run.
//
// The walk. The upper layer is read without following any link (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW)
// and each entry is applied to the same name in the workspace ("the lower side"):
//   - a whiteout (a character device 0:0, or an empty regular file carrying the overlay.whiteout
//     xattr) deletes the lower entry, recursively for a directory;
//   - a directory is created when missing (a lower entry of another type, a symbolic link
//     included, is removed first, never followed); an opaque one (overlay.opaque = "y": made
//     where the payload had removed the lower directory) first loses every lower entry the upper
//     one does not have; then its entries are applied, then its mode, owner and times;
//   - a regular file is written under a temporary name in its lower directory (O_CREAT|O_EXCL,
//     never an existing name), its contents copied (copy_file_range), its owner, mode and times
//     set, and renamed over the lower name (a lower directory of that name is removed first);
//   - a symbolic link and a FIFO are made under a temporary name and renamed the same way;
//   - device nodes and sockets are not committed (skipped, and listed in the report).
// A rename in the payload's view is a whiteout at the old name and a new entry at the new one
// (with redirect_dir=nofollow the overlay copies a renamed directory whole), so renames need nothing of
// their own. The overlay's own xattrs (trusted.overlay.*, or user.overlay.* with userxattr) are
// read only in the form the overlay was mounted with.
//
// Safety. Every lower-side name is opened with openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV, one component at a time from the workspace directory's
// descriptor (opened once, O_DIRECTORY | O_NOFOLLOW): a symbolic link planted in the workspace or
// in the upper layer is never followed, so the commit writes nothing outside the workspace
// directory and crosses into no other mount.
//
// Interruption. Each file is replaced by one rename, so if the commit stops part way (a crash, a
// kill, a full disk) every file in the workspace is either its old or its new version, never a
// mixture; but the set of files committed may be partial, a directory being deleted may be half
// deleted, and a temporary `.polc-commit-*` file may be left beside its target. By default files
// are not fsync'ed (that costs a disk flush per file): a commit that returned has its data in the
// page cache, and a power loss soon after can lose recently committed files as for any write.
// With `sync_files`, each file is fsync'ed before its rename and each directory after its
// entries, so that a crash leaves each file old or new on disk too.
//
// Ownership and attributes. A committed entry gets the upper entry's owner (the user the payload
// ran as, for what it created), mode (set after the owner, as chown would clear set-id bits; a
// file or FIFO never keeps set-user-ID or set-group-ID bits, a directory does) and
// modification and access times. Extended attributes and ACLs of upper files are not carried over:
// a committed file has only what the filesystem gives a new file. A file with several names in
// the upper layer (hard links) is committed as separate copies, and a changed file that had
// other names in the workspace gets a new inode (its other names keep the old contents), as in
// the payload's own view of the overlay.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "launcher/os/workspace.h"

namespace polc::launcher::os {

struct CommitReport {
  uint64_t created = 0;   // entries that did not exist in the workspace
  uint64_t modified = 0;  // entries replaced (files, links, FIFOs), or directories whose mode or owner changed
  uint64_t deleted = 0;   // entries removed by a whiteout or an opaque directory (a directory counts once)
  uint64_t skipped = 0;   // device nodes and sockets, not committed
  uint64_t bytes = 0;     // file contents written
  std::vector<std::string> skipped_paths;  // relative to the workspace, with what they are
  std::vector<std::string> errors;         // "path: what failed": the commit went on with the rest
  bool ok() const { return errors.empty(); }
  // One line: "12 created, 3 modified, 2 deleted, 0 skipped, 40960 bytes[, 1 error: ...]".
  std::string summary() const;
};

// Applies the upper layer of `workspace` to its directory; call after every process that had the
// overlay mounted has ended. Throws launcher::Failure only when it cannot start (the workspace or
// the upper layer cannot be opened); a failure on one entry is recorded in the report's errors
// and the walk goes on. The staging directory is left as it is: the caller removes it with
// discard_workspace (or keeps it for inspection when the report has errors).
CommitReport commit_workspace(const PreparedWorkspace& workspace, bool sync_files = false);

}  // namespace polc::launcher::os
