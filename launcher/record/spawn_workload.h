// Stage: launcher (learning). Starting the workload under the notifying filter, and handing its
// listener to the supervisor without a single syscall of the child after seccomp() but the
// workload's own execve.
//
// The handoff: before seccomp(), the child tells the parent over a close-on-exec pipe which
// descriptor number the listener will get (the lowest free one; the child is single-threaded and
// opens nothing in between). The child's next syscall after seccomp() is the workload's execve,
// which waits for the supervisor's answer; meanwhile the parent takes the listener out of the
// child's table with pidfd_getfd (retrying until the number exists and is a seccomp listener).
// The listener is close-on-exec: the workload never holds it. Nothing the child does before the
// filter is recorded; its execve is the first call recorded.
#pragma once

#include "launcher/record/child_landlock.h"

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "compiler/posix/unique_fd.h"

namespace polc::record {

struct Workload {
  pid_t pid = -1;
  UniqueFd pidfd;
  UniqueFd listener;
  // The child's end of the status pipe closes at a successful exec; when exec fails the child
  // writes a message (read_exec_failure) and exits 127.
  UniqueFd status;
};

// argv[0] found like execvp does (a name without '/' is searched in PATH): the path to execute,
// or nullopt and `error` ("command not found: NAME").
std::optional<std::string> find_program(const std::string& name, std::string& error);

// Forks the workload: no_new_privs, the parent-death signal SIGKILL, signal mask `child_mask`,
// `landlock` (child_landlock.h; none when it handles nothing), the filter, then
// execve(program, argv, environ). nullopt and `error` when the filter could not
// be installed or its listener not taken (the child is then killed and reaped).
std::optional<Workload> spawn_workload(const std::string& program, const std::vector<std::string>& argv,
                                       const sigset_t& child_mask, const ChildLandlock& landlock,
                                       std::string& error);

// Reads the status pipe without blocking. Returns the errno of a failed execve once the child has
// written it; 0 otherwise. Sets `closed` when the pipe reached its end (the exec succeeded or the
// child died).
int read_exec_failure(int status_fd, bool& closed);

}  // namespace polc::record
