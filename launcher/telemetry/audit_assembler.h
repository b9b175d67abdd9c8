// Stage: launcher telemetry. Groups audit records into events by their stamp, in arrival order,
// and hands each event out once it is complete (audit_events.h says what makes one). Pure, and
// bounded: it keeps at most `max_pending` unfinished events, whatever the records say.
//
// When an event is complete:
// - AUDIT_SECCOMP and a Landlock domain's deallocation come alone: complete at once;
// - a Landlock access opens an event that its EOE record completes;
// - an event whose EOE never comes (lost, or a denial outside any syscall) is completed when it is
//   older than the age given to complete_older_than(), when the pending bound pushes it out, or
//   by complete_all() at the end; such events are marked `incomplete`.
// Records of other types open nothing: a SYSCALL or EOE record joins an event only if a seccomp
// or Landlock record opened it, so the rest of the system's audit traffic costs one parse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "launcher/telemetry/audit_events.h"
#include "launcher/telemetry/audit_records.h"

namespace polc::telemetry {

class AuditAssembler {
 public:
  explicit AuditAssembler(size_t max_pending = 256) : max_pending_(max_pending == 0 ? 1 : max_pending) {}

  // One record as received (its netlink type and its text); complete events are appended to `out`.
  void add(uint16_t type, std::string_view text, std::vector<AssembledEvent>& out);
  // Completes the events whose stamp is older than `now_ms - max_age_ms` (both in milliseconds
  // since the epoch, the clock of the stamps: CLOCK_REALTIME).
  void complete_older_than(int64_t now_ms, int64_t max_age_ms, std::vector<AssembledEvent>& out);
  void complete_all(std::vector<AssembledEvent>& out);

  size_t pending() const { return pending_.size(); }
  // Records whose text could not be parsed (no stamp): counted, never fatal.
  uint64_t malformed() const { return malformed_; }

 private:
  struct Pending {
    AuditStamp stamp;
    std::vector<AuditRecord> records;
  };
  void complete(size_t index, bool incomplete, std::vector<AssembledEvent>& out);

  size_t max_pending_;
  std::vector<Pending> pending_;  // oldest first; few at a time, so a vector beats a map
  uint64_t malformed_ = 0;
};

}  // namespace polc::telemetry
