// Stage: launcher telemetry. Grouping audit records into events (audit_assembler.h).
#include "launcher/telemetry/audit_assembler.h"

#include <algorithm>

namespace polc::telemetry {

namespace {

bool opens_event(const AuditRecord& record) {
  return record.type == kAuditLandlockAccess ||
         (record.type == kAuditLandlockDomain && record.find("status") && record.find("status")->value == "allocated");
}

// Complete as soon as it arrives, when no event with its stamp is waiting.
bool stands_alone(const AuditRecord& record) {
  return record.type == kAuditSeccomp || (record.type == kAuditLandlockDomain && !opens_event(record));
}

int64_t stamp_ms(const AuditStamp& stamp) { return stamp.seconds * 1000 + static_cast<int64_t>(stamp.millis); }

}  // namespace

void AuditAssembler::add(uint16_t type, std::string_view text, std::vector<AssembledEvent>& out) {
  auto record = parse_audit_record(type, text);
  if (!record) {
    ++malformed_;
    return;
  }
  const auto waiting =
      std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.stamp == record->stamp; });
  if (waiting != pending_.end()) {
    const size_t index = static_cast<size_t>(waiting - pending_.begin());
    const bool ends = record->type == kAuditEoe;
    // An event has a handful of records; a stamp that keeps coming is not one the kernel made.
    if (waiting->records.size() < 64) waiting->records.push_back(std::move(*record));
    if (ends) complete(index, false, out);
    return;
  }
  if (stands_alone(*record)) {
    if (auto event = assemble_audit_event(std::span<const AuditRecord>(&*record, 1))) out.push_back(std::move(*event));
    return;
  }
  if (!opens_event(*record)) return;
  if (pending_.size() >= max_pending_) complete(0, true, out);
  Pending opened;
  opened.stamp = record->stamp;
  opened.records.push_back(std::move(*record));
  pending_.push_back(std::move(opened));
}

void AuditAssembler::complete(size_t index, bool incomplete, std::vector<AssembledEvent>& out) {
  Pending done = std::move(pending_[index]);
  pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(index));
  if (auto event = assemble_audit_event(done.records)) {
    event->incomplete = incomplete;
    out.push_back(std::move(*event));
  }
}

void AuditAssembler::complete_older_than(int64_t now_ms, int64_t max_age_ms, std::vector<AssembledEvent>& out) {
  for (size_t i = 0; i < pending_.size();) {
    if (now_ms - stamp_ms(pending_[i].stamp) > max_age_ms) complete(i, true, out);
    else ++i;
  }
}

void AuditAssembler::complete_all(std::vector<AssembledEvent>& out) {
  while (!pending_.empty()) complete(0, true, out);
}

}  // namespace polc::telemetry
