// Stage: launcher (learning). The seccomp side of recording: the filter that hands every syscall
// to a supervisor, and the supervisor's end of its listener (receive, answer, check).
#pragma once

#include <linux/seccomp.h>

#include <cstdint>
#include <memory>

namespace polc::record {

// Installs, in the calling (single-threaded, no_new_privs) process, a filter that returns
// SECCOMP_RET_USER_NOTIF for every call of every arch, and returns its listener: the lowest free
// descriptor, close-on-exec. -1 with errno set when the kernel refuses.
int install_notify_filter();

// A listener's notification and response buffers, sized as this kernel wants them.
class NotifyChannel {
 public:
  // Throws std::runtime_error when the kernel does not say its sizes (no user notification).
  explicit NotifyChannel(int listener);

  // Receives one notification. False when there was none to take after all (the caller died
  // between poll and receive: ENOENT) or the receive was interrupted.
  bool receive();
  const seccomp_notif& current() const { return *notif_; }

  // Answers the current notification. ENOENT (the caller died meanwhile) is not an error.
  void allow();              // SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel runs the call
  void refuse(int err);      // the call fails with -err
  // Whether the current notification's caller still waits: what was read from its memory since
  // receive() belongs to it and not to a process that took its PID.
  bool still_valid() const;

 private:
  void send();
  int listener_;
  seccomp_notif_sizes sizes_{};
  std::unique_ptr<unsigned char[]> notif_buffer_;
  std::unique_ptr<unsigned char[]> resp_buffer_;
  seccomp_notif* notif_ = nullptr;
  seccomp_notif_resp* resp_ = nullptr;
};

}  // namespace polc::record
