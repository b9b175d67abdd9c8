// Stage: launcher. What the payload inherits besides stdin, stdout and stderr: only the
// descriptors the caller names with --keep-fd.
//
// A caller's open descriptor is not subject to Landlock: a secret the caller happens to hold open
// (a log, a key file, a socket) would be readable or writable by the payload, whatever the
// policy denies. So every descriptor above 2 is marked close-on-exec before the payload runs,
// except those passed on purpose (audited).
#pragma once

#include <vector>

namespace polc::launcher {

// Checks that each --keep-fd descriptor is open. Throws Failure(Usage). Called before the
// launcher opens anything itself, so a number cannot name one of the launcher's own.
void check_kept_descriptors(const std::vector<int>& keep);

// Marks every descriptor above 2 close-on-exec except `keep` (close_range(2) with
// CLOSE_RANGE_CLOEXEC; where the kernel lacks it, each descriptor listed in /proc/self/fd).
// Throws Failure(ApplyFailed) when that cannot be done completely: no payload runs with a
// descriptor it was not meant to have.
void close_on_exec_all_but(const std::vector<int>& keep);

}  // namespace polc::launcher
