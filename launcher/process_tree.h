// Stage: launcher. The payload's process tree, as its supervisor sees it: the supervisor is the
// child subreaper, so every orphaned descendant is reparented to it (whatever process group or
// session it moved to), and at the end nothing of the tree is left running.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace polc::launcher {

// PR_SET_CHILD_SUBREAPER on the calling process. Throws Failure(ApplyFailed).
void become_subreaper();

// Kills the process group `group` and every remaining child of the calling process (and so,
// as each dies and its own children are reparented here, the whole tree), reaping them, for at
// most `timeout_ms`. Returns how many children were still there at the deadline (0: none left).
size_t kill_process_tree(pid_t group, int timeout_ms);

}  // namespace polc::launcher
