// Stage: driver. Descriptor-level building blocks for every file and directory polc writes: an
// owning descriptor (UniqueFd), a complete write, a random name, and the removal of a tree that never
// follows a symbolic link. Everything works relative to a directory descriptor, so a name swapped
// for a link between two steps cannot redirect a write or a removal outside the directory opened.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "compiler/posix/unique_fd.h"

namespace polc::driver {

// Writes all of `bytes` to `fd` (retrying short writes and EINTR). False with errno set on failure.
bool write_all(int fd, std::string_view bytes);

// `n` random characters from [A-Za-z0-9] (getrandom): the unguessable part of a temporary name.
std::string random_name_part(size_t n);

// Removes `name` in the directory `dir_fd` and, if it is a directory, everything below it. A
// symbolic link is removed as a link, never followed: each directory is opened with O_NOFOLLOW
// relative to its parent's descriptor. Returns false (errno set) if something could not be removed.
bool remove_tree_at(int dir_fd, const std::string& name);

// As remove_tree_at for the contents of the directory `dir` (a descriptor it does not consume);
// the directory itself stays.
bool remove_contents(int dir);

// The process's umask, read without changing it (/proc/self/status; 022 if it cannot be read).
mode_t current_umask();

}  // namespace polc::driver
