// Stage: launcher (learning). The end of a recorded run: the supervisor is a child subreaper, so
// every orphaned descendant of the workload becomes its child, and when the workload's main
// process has exited nothing of it is left running.
#pragma once

#include <cstddef>

namespace polc::record {

// PR_SET_CHILD_SUBREAPER on the calling process. False when the kernel refuses.
bool become_subreaper();

// SIGKILLs every child of the calling process (and so, round by round as each dies and its
// children are reparented here, every descendant), reaping them, for at most `timeout_ms`.
// Returns how many were still there at the deadline (0: none).
size_t kill_descendants(int timeout_ms);

}  // namespace polc::record
