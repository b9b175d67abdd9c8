// Stage: launcher telemetry. The audit channel: where sbx-exec's supervisor hears the kernel's
// seccomp and Landlock refusals (docs/telemetry.md, "Reading audit").
//
// Opened before the payload is forked (only processes created while audit is on have the audit
// context Landlock's records need), it reads audit in one of two ways:
// - Reader: no audit daemon holds the registration, so the channel registers itself (AUDIT_SET
//   pid), turning audit on and raising the kernel's backlog limit if need be. close() hands it
//   all back as it found it: no reader, audit's `enabled` and backlog limit as they were.
// - Multicast: an audit daemon (or another sbx-exec) is the reader; the channel joins the
//   read-only multicast group beside it and changes nothing. If that reader lets go (its
//   CONFIG_CHANGE record says so, or a status check every second finds no reader), the channel
//   registers itself as above, so that a concurrent sbx-exec ending does not end this one's events.
// - Unavailable: neither is possible (audit compiled out, not root, no CAP_AUDIT_READ, a user or
//   pid namespace); message() says why, and the supervisor reports it and carries on.
//
// Single-threaded; not for use in the forked child (close() there restores nothing: the
// registration belongs to the supervisor's pid). Nothing here throws but std::bad_alloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/posix/unique_fd.h"
#include "launcher/telemetry/audit_assembler.h"
#include "launcher/telemetry/audit_netlink.h"
#include "launcher/telemetry/audit_users.h"

namespace polc::telemetry {

enum class AuditAccess : uint8_t { Reader, Multicast, Unavailable };
const char* audit_access_name(AuditAccess access);  // "reader", "multicast", "unavailable"

struct AuditChannelOptions {
  // Reader: the kernel queues at most this many records for the reader before it drops them
  // (counted in `lost`); its default, 64, is one burst. Raised to this while reading, never lowered.
  uint32_t backlog_limit = 8192;
  // The socket's receive buffer (SO_RCVBUFFORCE as root): what a multicast member may fall behind
  // before the kernel drops records for it (ENOBUFS, counted in overruns()).
  int receive_buffer = 64 << 20;
  // An event whose last record has not come after this long is handed out as it is.
  int64_t event_max_age_ms = 2000;
};

class AuditChannel {
 public:
  explicit AuditChannel(AuditChannelOptions options = {});
  ~AuditChannel();
  AuditChannel(const AuditChannel&) = delete;
  AuditChannel& operator=(const AuditChannel&) = delete;

  AuditAccess access() const { return access_; }
  // One sentence for the user: how audit is read and what was changed, or why it cannot be.
  const std::string& message() const { return message_; }
  // audit's status when the channel opened (or took the registration over); unset fields are 0
  // when the status could not be read.
  const audit_netlink::Status& initial_status() const { return initial_; }

  // Readable when records wait; -1 when Unavailable.
  int fd() const { return reader_.get(); }

  // Reads what is queued, without blocking and at most `max_records` records, and appends the
  // events completed so far to `out`. Returns the number of records read. Call it when fd() is
  // readable and, in multicast mode, at least every second or so (the reader check).
  size_t read_available(std::vector<AssembledEvent>& out, size_t max_records = 256);
  // Hands out the events still waiting for their last record (at the end of the run, after a
  // last read_available).
  void flush(std::vector<AssembledEvent>& out);

  // The end of the run: asks the kernel to queue a marker record (a user message, behind every
  // record queued so far); once read_available() has read it, synced() is true and the events
  // still waiting for their last record have been handed out. False when the marker could not
  // be sent (then only a deadline ends the wait).
  bool begin_sync();
  bool synced() const { return synced_; }

  // Records missed since the channel opened: the growth of the kernel's `lost` counter (which is
  // machine-wide: other processes' records count too, so it is an upper bound) plus this socket's
  // overruns (each one some records, how many is not known).
  uint64_t lost_delta() const;
  uint64_t overruns() const { return overruns_; }
  uint64_t malformed() const { return assembler_.malformed(); }
  // Times the channel took the registration over from a reader that let go (each one a gap while
  // audit was off between the two).
  uint64_t takeovers() const { return takeovers_; }

  // Restores audit (reader: no reader, `enabled` and the backlog limit as they were) and closes
  // the sockets. Idempotent; never throws; called by the destructor.
  void close() noexcept;
  // Records the kernel holds queued for the reader now (AUDIT_GET's backlog); 0 when unknown.
  uint64_t queued() const;

  // While the supervisor is stopped: a registered reader that reads nothing would fill the
  // kernel's queue, and then every process on the host that audits would wait for room. pause()
  // unregisters (the kernel logs to its ring buffer meanwhile); resume() registers again, or joins
  // the multicast group when another reader came in between.
  void pause() noexcept;
  void resume() noexcept;

 private:
  int become_reader(const audit_netlink::Status& status);  // 0 or the kernel's errno
  bool join_as_member(int holder_pid);
  bool clear_stale_reader(audit_netlink::Status& status);
  void check_reader();
  static void take_record(void* self, uint16_t type, std::string_view text);

  AuditChannelOptions options_;
  AuditAccess access_ = AuditAccess::Unavailable;
  std::string message_;
  UniqueFd reader_;   // receives the records: the registered socket, or the multicast member
  UniqueFd control_;  // AUDIT_GET and the restore, so that answers never mix with records
  audit_netlink::Status initial_;
  bool status_known_ = false;
  bool enabled_changed_ = false;
  bool backlog_changed_ = false;
  int owner_pid_ = 0;
  uint64_t overruns_ = 0;
  uint64_t takeovers_ = 0;
  bool reader_check_due_ = false;
  // Other supervisors reading audit at the same time, and audit's settings from before the first
  // of them (audit_users.h): the last one out restores those.
  AuditUsers users_;
  std::optional<AuditSettings> original_;
  bool may_take_over_ = true;
  bool paused_ = false;
  int64_t last_reader_check_ms_ = 0;
  AuditAssembler assembler_;
  std::vector<AssembledEvent> early_;  // completed while waiting for an answer from the kernel
  std::string marker_;                 // the text of the sync marker sent last; empty: none
  bool synced_ = false;
  std::vector<char> buffer_;
};

}  // namespace polc::telemetry
