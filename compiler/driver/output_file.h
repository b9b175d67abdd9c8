// Stage: driver. The one way polc writes a file next to a user's files (an imported policy, a
// report, a formatted source, a signature list, a key): atomically, and never through a link
// someone else planted.
//
// The file is written to a fresh temporary in the target's directory, created relative to a
// descriptor of that directory with O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC under a random name (so
// neither a planted link nor a concurrent run can be written through), given its owner and mode
// with fchown/fchmod on the descriptor, flushed with fsync, and renamed over the target with
// renameat. Readers see the old file or the new one, never a partial one; any failure removes the
// temporary and leaves the target as it was.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace polc::driver {

struct WriteFileOptions {
  // Mode of a file that did not exist. With `apply_umask` it is narrowed by the umask, as any
  // file a program creates is; without, it is exact (a private key is 0600 whatever the umask).
  mode_t new_mode = 0644;
  bool apply_umask = true;
  // false: refuse if anything exists at the target (renameat2 RENAME_NOREPLACE), e.g. a key.
  bool replace = true;
  // How a symbolic link at the target is treated:
  //  Follow: a link owned by the caller (or by root) is followed to the file it names, so the
  //          user's own link stays a link; a link owned by anyone else is refused, as the
  //          kernel's protected_symlinks refuses following another user's link in /tmp.
  //  Replace: the link itself is replaced by the new file (a name inside a directory polc owns,
  //          like a bundle's signatures.json); where it points is never touched.
  enum class Links { Follow, Replace } links = Links::Follow;
};

// Replaces (or creates) the regular file `path` with `bytes`. An existing regular file keeps its
// permission bits (rwx of user, group and others; set-id bits are dropped) and, where the caller
// may set it, its owner and group. Anything at the target that is not a regular file (a
// directory, a device, a FIFO) is refused. Returns an error message, or nullopt on success.
std::optional<std::string> write_file_atomically(const std::string& path, std::string_view bytes,
                                                 const WriteFileOptions& options = {});

}  // namespace polc::driver
