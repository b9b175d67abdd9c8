// Stage: launcher (learning). The notifying filter and its listener (notify_filter.h).
#include "launcher/record/notify_filter.h"

#include <linux/filter.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace polc::record {

int install_notify_filter() {
  // One instruction: no arch check, no number check. Every call of every ABI the process can
  // make (x86_64, int 0x80, x32) reaches the supervisor, which learns the ABI from seccomp_data.
  static sock_filter program[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF)};
  sock_fprog prog{1, program};
  // Linux 5.19: once the supervisor has received a call, only a fatal signal interrupts the
  // caller's wait for the answer. Without it, a signal arriving then (SIGCHLD, in a shell forking
  // children) ends the call with ERESTARTSYS, and a call the kernel never lets fail that way
  // (fork: ERESTARTNOINTR) fails with EINTR under a handler without SA_RESTART. A signal that
  // arrives before the supervisor receives the call still does (docs/learn.md, Limits). Older
  // kernels: without.
  constexpr unsigned long kWaitKillableRecv = 1UL << 5;  // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
  const long fd =
      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER | kWaitKillableRecv, &prog);
  if (fd >= 0 || errno != EINVAL) return static_cast<int>(fd);
  return static_cast<int>(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog));
}

namespace {

// Linux 6.6: a listener in this mode wakes the caller and the supervisor on the same CPU, handing
// it over directly (newer than these headers, so spelled out here).
constexpr unsigned long kNotifSetFlags = SECCOMP_IOW(4, uint64_t);  // SECCOMP_IOCTL_NOTIF_SET_FLAGS
constexpr unsigned long kSyncWakeUp = 1;                            // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP

}  // namespace

NotifyChannel::NotifyChannel(int listener) : listener_(listener) {
  // Each call is a round trip through this process: a hand-over on one CPU instead of a wake-up
  // on another (5-10% more calls per second in bench/learn_recording.cpp on a loaded 2-core
  // machine). Older kernels refuse the flag; they work as well, a little slower.
  if (listener_ >= 0) (void)ioctl(listener_, kNotifSetFlags, kSyncWakeUp);
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes_) != 0)
    throw std::runtime_error(std::string("seccomp(SECCOMP_GET_NOTIF_SIZES) failed: ") + std::strerror(errno));
  // The kernel may know a longer struct than these headers: allocate what it says, at least ours.
  const size_t notif_size = std::max<size_t>(sizes_.seccomp_notif, sizeof(seccomp_notif));
  const size_t resp_size = std::max<size_t>(sizes_.seccomp_notif_resp, sizeof(seccomp_notif_resp));
  notif_buffer_ = std::make_unique<unsigned char[]>(notif_size);
  resp_buffer_ = std::make_unique<unsigned char[]>(resp_size);
  notif_ = reinterpret_cast<seccomp_notif*>(notif_buffer_.get());
  resp_ = reinterpret_cast<seccomp_notif_resp*>(resp_buffer_.get());
}

bool NotifyChannel::receive() {
  // The kernel rejects a receive buffer that is not zeroed.
  std::memset(notif_, 0, std::max<size_t>(sizes_.seccomp_notif, sizeof(seccomp_notif)));
  return ioctl(listener_, SECCOMP_IOCTL_NOTIF_RECV, notif_) == 0;
}

void NotifyChannel::allow() {
  std::memset(resp_, 0, std::max<size_t>(sizes_.seccomp_notif_resp, sizeof(seccomp_notif_resp)));
  resp_->id = notif_->id;
  resp_->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  send();
}

void NotifyChannel::refuse(int err) {
  std::memset(resp_, 0, std::max<size_t>(sizes_.seccomp_notif_resp, sizeof(seccomp_notif_resp)));
  resp_->id = notif_->id;
  resp_->error = -err;
  send();
}

bool NotifyChannel::still_valid() const {
  uint64_t id = notif_->id;
  return ioctl(listener_, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

void NotifyChannel::send() {
  // ENOENT: the caller was killed while it waited; nothing is left to answer.
  while (ioctl(listener_, SECCOMP_IOCTL_NOTIF_SEND, resp_) != 0 && errno == EINTR) {}
}

}  // namespace polc::record
