// Stage: launcher (learning). Turning the path a call names into the one Landlock decides on:
// absolute (relative paths start at the caller's working directory or at its dirfd), symbolic
// links resolved as far as the path exists, lexically normal (no "//", ".", ".."). The path is
// bytes from a hostile process: it is never altered but by these rules, and never interpreted.
//
// Resolution happens in the supervisor's view of the filesystem, at the call's entry (before the
// kernel runs it), one component at a time as the kernel walks it, but in the caller's context:
// /proc/self and /proc/thread-self (in the path, or in a link met on the way, such as /dev/stdin
// or /dev/fd) name the caller, and its magic links (/proc/PID/fd/N, cwd, root, exe) are read in
// its /proc and followed to their targets. A magic link to what is no path (a pipe, a socket, an
// anonymous inode) makes the access no path-based one: Landlock does not check it either.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "compiler/learn/recording.h"

namespace polc::record {

inline constexpr int kAtFdcwd = -100;

// The path of descriptor `fd` of process `pid` (readlink /proc/PID/fd/N); nullopt when it is not
// a filesystem path (a pipe, a socket, ...) or cannot be read. `unknown`, when given, is set
// when the link could not be read although the descriptor may be open (no access to the
// caller's /proc entries): then what it names is unknown, not absent.
std::optional<std::string> descriptor_path(pid_t pid, int fd, bool* unknown = nullptr);

// `path` as named by process `pid` relative to `dirfd` (kAtFdcwd: its working directory), made
// absolute, normal and resolved. `follow_last`: resolve the final component too (open, exec),
// or not (the entry itself is created or removed: mkdir, unlink, rename, ...). An empty path
// means the descriptor itself (AT_EMPTY_PATH). nullopt when it names no path (`not_path`, when
// given, is then set: through a magic link to a pipe, a socket, ...) or when it cannot be known
// with certainty (the start, or one of the caller's /proc entries on the way, is unreadable).
std::optional<std::string> resolve_path(pid_t pid, int dirfd, const std::string& path, bool follow_last,
                                        bool* not_path = nullptr);

// What `path` (resolved) is now: stat, or lstat without `follow`.
learn::FileAccess::Kind kind_of(const std::string& path, bool follow);

// Lexically normal form of an absolute path: "/" separated, no empty, "." or ".." components.
std::string lexically_normal(const std::string& absolute);

// The directory part of a normal absolute path ("/a/b" -> "/a", "/a" -> "/").
std::string parent_of(const std::string& normal);

}  // namespace polc::record
