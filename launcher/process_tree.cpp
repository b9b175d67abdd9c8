// Stage: launcher. Subreaping and killing the payload's tree (process_tree.h), with the
// supervisor's error reporting around the shared steps (compiler/posix/process_tree.h).
#include "launcher/process_tree.h"

#include <cerrno>

#include "compiler/posix/process_tree.h"
#include "launcher/errors.h"

namespace polc::launcher {

void become_subreaper() {
  if (!posix::become_subreaper())
    throw Failure(ExitCode::ApplyFailed, "prctl(PR_SET_CHILD_SUBREAPER) failed: " + errno_text(errno));
}

size_t kill_process_tree(pid_t group, int timeout_ms) { return posix::kill_descendants(group, timeout_ms); }

}  // namespace polc::launcher
