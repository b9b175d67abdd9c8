// Stage: launcher (learning). pidfd_open, pidfd_send_signal and pidfd_getfd as raw syscalls: glibc 2.36's
// <sys/pidfd.h> declares them without C linkage, so C++ cannot link against them.
#pragma once

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

namespace polc::record {

inline int open_pidfd(pid_t pid, unsigned flags = 0) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, flags));
}
inline int signal_pidfd(int pidfd, int signal) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0u));
}
inline int take_descriptor(int pidfd, int fd) { return static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, fd, 0u)); }

}  // namespace polc::record
