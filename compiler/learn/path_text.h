// Stage: learn. Which recorded paths a policy can name, and how they are written. A recorded path
// is bytes from the workload: one that the language cannot express exactly (not absolute or not
// normal, a control character, invalid UTF-8, longer than PATH_MAX) is never altered into a path
// that means something else; it is left out of drafts and patches and reported.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace polc::learn {

// Why `path` cannot be written in a policy, or nullopt when it can.
std::optional<std::string> unrepresentable_reason(std::string_view path);

// The path as a .sbx string literal, quotes included ("\"/usr/lib\""); `"` and `\` escaped.
std::string quoted_path(std::string_view path);

// The path for a one-line report: printable ASCII as is, other bytes as \xNN, so that a hostile
// path cannot break the report's lines or terminal.
std::string printable_path(std::string_view path);

// A path that names something of the process that opens it: /proc/self/..., /proc/thread-self/...,
// /dev/fd/..., /dev/stdin, /dev/stdout, /dev/stderr. A Landlock rule on one is resolved when the
// sandbox starts, so it would name the launcher's own process, never the payload's: drafts and
// patches leave such paths out.
bool process_relative(std::string_view path);

// A path that goes through one of /proc's magic links (a process's root, cwd, exe, fd/N or
// map_files/X, as /proc/PID/..., /proc/self/..., /proc/thread-self/..., with or without
// task/TID, or /dev/fd/N and /dev/std*): what it reaches is not what its name says, so it cannot
// be judged by its name.
bool through_magic_link(std::string_view path);

// The parent directory of an absolute normal path ("/" for "/x" and for "/").
std::string parent_dir(std::string_view path);

}  // namespace polc::learn
