// Stage: launcher telemetry. The kernel audit netlink socket, as sbx-exec speaks it: open one,
// ask for audit's status (AUDIT_GET), change it (AUDIT_SET), join the read-only multicast group,
// receive one record. Errors are returned as errno values, never thrown: the audit channel turns
// them into its state and message, and restoring audit at exit must not throw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "compiler/posix/unique_fd.h"

namespace polc::telemetry::audit_netlink {

// Room for any one message: the kernel's records are at most MAX_AUDIT_MESSAGE_LENGTH (8970)
// bytes after the 16-byte header.
inline constexpr size_t kReceiveBufferSize = 16384;

// The part of struct audit_status sbx-exec uses (linux/audit.h; older kernels send less, newer
// more: both are fine).
struct Status {
  uint32_t enabled = 0;  // 0 off, 1 on, 2 on and locked (no change until reboot)
  uint32_t failure = 0;
  uint32_t pid = 0;  // the registered reader, 0 when none
  uint32_t rate_limit = 0;
  uint32_t backlog_limit = 0;
  uint32_t lost = 0;  // records the kernel dropped since boot (wraps)
  uint32_t backlog = 0;
};

// What AUDIT_SET changes: only the fields whose flag is set.
struct StatusChange {
  std::optional<uint32_t> enabled;
  std::optional<uint32_t> pid;
  std::optional<uint32_t> backlog_limit;
};

// A NETLINK_AUDIT socket, close-on-exec; non-blocking when asked. nullopt and `error` set when
// the kernel has none (EPROTONOSUPPORT: audit compiled out) or refuses.
std::optional<UniqueFd> open_socket(bool nonblocking, int& error);

// AUDIT_GET. 0 or an errno value (EPERM without CAP_AUDIT_CONTROL, ETIMEDOUT).
int get_status(int fd, Status& status);
// AUDIT_SET, waiting (at most a second) for the kernel's answer. 0 or the errno value it gave
// (EEXIST: another reader is registered, EACCES, EPERM). Records arriving on `fd` meanwhile (it
// may already be the reader) are passed to `on_record` so that none is lost; it may be null.
using RecordSink = void (*)(void* context, uint16_t type, std::string_view text);
int set_status(int fd, const StatusChange& change, RecordSink on_record = nullptr, void* context = nullptr);
// The type of sbx-exec's own messages: AUDIT_TRUSTED_APP, "freestyle text" from a trusted
// program, as audit tools already know it.
inline constexpr uint16_t kMarkerType = 1121;
// Sends a kMarkerType message (CAP_AUDIT_WRITE): the kernel queues it as a record behind every
// record queued so far, for the reader and the multicast group; sending one also makes the kernel
// notice a reader that died (its send fails and it forgets the registration). 0 or an errno value.
int send_user_message(int fd, std::string_view text);
// Joins or leaves AUDIT_NLGRP_READLOG (CAP_AUDIT_READ). 0 or an errno value.
int join_multicast(int fd);
int leave_multicast(int fd);

// Receives one message without blocking. Returns its netlink type and sets `text` to the record's
// text (the kernel's nlmsg_len of audit records omits the header, so the text is everything after
// the header that was received). 0 with `error` EAGAIN when nothing waits, ENOBUFS when the
// socket overran. Messages not from the kernel (a process with CAP_NET_ADMIN may send to any
// netlink port) are dropped: returns 0 with `error` 0.
uint16_t receive(int fd, char* buffer, size_t size, std::string_view& text, int& error);

}  // namespace polc::telemetry::audit_netlink
