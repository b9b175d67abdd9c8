// Stage: launcher telemetry. The audit source (audit_source.h).
#include "launcher/telemetry/audit_source.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

namespace polc::telemetry {

std::optional<uint32_t> audit_session_of_exec_line(const std::string& exec_line) {
  const auto line = nlohmann::json::parse(exec_line, nullptr, false);
  if (!line.is_object()) return std::nullopt;
  const auto supervisor = line.find("supervisor");
  if (supervisor == line.end() || !supervisor->is_object()) return std::nullopt;
  const auto session = supervisor->find("audit_session");
  if (session == supervisor->end() || !session->is_number_unsigned()) return std::nullopt;
  const uint64_t id = session->get<uint64_t>();
  if (id >= 4294967295u) return std::nullopt;  // AUDIT_SID_UNSET
  return static_cast<uint32_t>(id);
}

void AuditSource::take(AssembledEvent& event, std::vector<Event>& out) {
  if (!scope_->admit(event)) return;
  if (event.kind == AssembledEvent::Kind::Domain) {
    if (event.domain && event.domain->denials) domain_denials_ += *event.domain->denials;
    return;
  }
  if (attribute_) attribute_(event.event);
  out.push_back(std::move(event.event));
}

void AuditSource::read_available(std::vector<Event>& out) {
  for (Event& event : pending_) out.push_back(std::move(event));
  pending_.clear();
  std::vector<AssembledEvent> events;
  channel_->read_available(events);
  if (flush_) {
    channel_->flush(events);
    flush_ = false;
  }
  if (channel_->synced()) synced_ = true;
  for (AssembledEvent& event : events) {
    if (scope_) {
      take(event, out);
    } else if (held_.size() < kMaxHeld) {
      held_.push_back(std::move(event));
    } else {
      ++dropped_held_;
    }
  }
}

void AuditSource::payload_started(int64_t pid, const std::string& exec_line) {
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  scope_.emplace(audit_session_of_exec_line(exec_line), pid, n > 0 ? std::string(exe, static_cast<size_t>(n)) : "");
  std::vector<Event> out;
  for (AssembledEvent& event : held_) take(event, out);
  held_.clear();
  // Held events are handed out with the next read: the Source interface has no other way out.
  pending_.insert(pending_.end(), std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()));
}

void AuditSource::begin_sync() {
  // Without a marker, nothing tells when the kernel's queue is read through: the events still
  // waiting are handed out at the next read, and the supervisor's deadline ends the wait.
  synced_ = !channel_->begin_sync();
  flush_ = synced_;
}

}  // namespace polc::telemetry
