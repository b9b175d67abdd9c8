// Stage: driver. The temporary directories a build writes its bundle into before the rename that
// publishes it (output_dir.h), named `.NAME.tmp-XXXXXX` beside the output NAME.
//
// A build holds an exclusive flock(2) on its temporary directory from creation to rename. The
// kernel drops the lock when the process dies, however it dies (kill -9 included), so a
// temporary directory of this kind that nobody holds a lock on is left over from a build that
// will never finish it. Every build removes those before it writes: it removes only names of
// exactly this form, only directories the caller owns, only after taking the lock itself (so a
// live build's directory is never touched), and never follows a link while removing.
#pragma once

#include <optional>
#include <string>

#include "compiler/driver/fd_io.h"

namespace polc::driver {

// True if `entry` is a temporary directory name a build of the output `name` creates.
bool is_build_temp_name(const std::string& entry, const std::string& name);

// Removes the left-over temporary directories of `name` in the directory `parent_fd` (see above).
// Returns how many were removed.
int remove_stale_build_dirs(int parent_fd, const std::string& name);

// A new, empty temporary directory for a build of `name`, created in `parent_fd` (mode 0700, then
// 0755 once locked) and locked for the life of `dir`. `entry` is its name in the parent.
struct BuildTempDir {
  UniqueFd dir;
  std::string entry;
};
std::optional<BuildTempDir> create_build_temp_dir(int parent_fd, const std::string& name, std::string& error);

}  // namespace polc::driver
