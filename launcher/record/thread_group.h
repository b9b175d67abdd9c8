// Stage: launcher (learning). Which process a thread belongs to: seccomp names the calling
// thread, while process counts and pidfds want its thread group.
#pragma once

#include <sys/types.h>

namespace polc::record {

// The thread group (process) of thread `tid`, from /proc/TID/status; 0 when it is gone.
pid_t thread_group_of(pid_t tid);

}  // namespace polc::record
