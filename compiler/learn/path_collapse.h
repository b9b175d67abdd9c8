// Stage: learn. Turning the paths a workload touched into the fewest filesystem rules a person
// would write, without widening them to places that hold everything.
//
// Input: for each observed path (already moved to its parent for make_*, remove_* and refer), the
// Landlock rights it needed. Output: rules (path -> rights). The rules, applied in this order:
// 0. Created entries: a path the workload created (make_* observed on it), and everything beneath
//    it, has its rights granted on the directory it was created in. Such names are often
//    generated (compiler temporaries, lock files) and differ on the next run; the directory
//    already needs the make_* right. Not when that directory is "/", a home directory,
//    beneath /proc, /sys, /dev, /etc or /usr, or above an observed sensitive path (the entry
//    keeps its own path then).
// 1. Libraries: a path beneath /usr/lib/<triplet> (x86_64-linux-gnu, aarch64-linux-gnu, ...)
//    is read there: its read_file and read_dir become rights on /usr/lib/<triplet>. Other rights
//    (execute on the dynamic loader) stay on the file.
// 2. Siblings: for each right, when 3 or more distinct entries of one directory need it, the
//    directory gets the right instead; repeated upwards (a collapsed directory counts as an entry
//    of its parent).
// 3. Never collapse to: "/", a top-level directory (/usr, /etc, /home, /tmp, /var, /proc, ...),
//    a home directory (/root, /home/NAME), anything beneath /proc, /sys or /dev (each file there
//    is granted on its own: they are devices and kernel state, not data), a directory whose name
//    is sensitive, or a directory above an observed sensitive path (Landlock cannot deny beneath
//    a grant, so collapsing there would grant the secret). The entries then stay as they are.
// 4. A path already covered by another rule with the same right (the rule is on an ancestor)
//    loses that right; a path left with no right is dropped.
// Rights per path are merged: one rule per path with every right it needs.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace polc::learn {

// Landlock fs_right bits per path.
using PathRights = std::map<std::string, uint64_t>;

// `sensitive` holds the observed sensitive paths (left out of the rules): no directory above them
// is produced.
// `created` holds the entries the workload created (rule 0).
PathRights collapse_paths(const PathRights& observed, const std::set<std::string>& sensitive,
                          const std::set<std::string>& created = {});

// Rule 4 alone: drops the rights an ancestor's rule already grants, and the paths left with none.
PathRights drop_covered(PathRights rules);

// True when the collapse never produces `dir` (rule 3), for tests and docs.
bool collapse_forbidden(const std::string& dir);
// True when rule 0 may move a created entry's rights to `dir`.
bool created_target_ok(const std::string& dir);

}  // namespace polc::learn
