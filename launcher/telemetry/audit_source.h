// Stage: launcher telemetry. Seccomp's and Landlock's refusals as a telemetry source: the audit
// channel's events (audit_channel.h), kept to the run's (audit_run_scope.h) and attributed.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "launcher/telemetry/audit_channel.h"
#include "launcher/telemetry/audit_run_scope.h"
#include "launcher/telemetry/source.h"

namespace polc::telemetry {

// Fills event.rule (and refines event.decision: "errno" becomes "errno(EPERM)").
using EventAttributor = std::function<void(Event& event)>;

// The payload's audit session as the exec line (the audit line the child wrote just before exec)
// gives it: supervisor.audit_session. nullopt when absent, null or not a session id.
std::optional<uint32_t> audit_session_of_exec_line(const std::string& exec_line);

class AuditSource : public Source {
 public:
  // `channel` must be open (not Unavailable): the supervisor reports an unavailable channel
  // itself and reads no source for it.
  AuditSource(std::unique_ptr<AuditChannel> channel, EventAttributor attribute)
      : channel_(std::move(channel)), attribute_(std::move(attribute)) {}

  const char* name() const override { return "audit"; }
  int fd() const override { return channel_->fd(); }
  // Until payload_started, events are held (at most kMaxHeld), as nothing yet says which are
  // the run's; after it, each is kept or dropped as it comes.
  void read_available(std::vector<Event>& out) override;
  // With a sync that did not finish, the records still queued in the kernel count too.
  uint64_t lost() const override { return channel_->lost_delta() + dropped_held_ + (synced_ ? 0 : channel_->queued()); }
  void payload_started(int64_t pid, const std::string& exec_line) override;
  void begin_sync() override;
  void pause() override { channel_->pause(); }
  void resume() override { channel_->resume(); }
  bool synced() const override { return synced_; }

  AuditChannel& channel() { return *channel_; }
  // What the run's Landlock domains said when they ended: their denials in all, logged or not
  // (those before exec and those audit lost included).
  uint64_t domain_denials() const { return domain_denials_; }

  static constexpr size_t kMaxHeld = 4096;

 private:
  void take(AssembledEvent& event, std::vector<Event>& out);

  std::unique_ptr<AuditChannel> channel_;
  EventAttributor attribute_;
  std::optional<RunScope> scope_;
  std::vector<AssembledEvent> held_;  // read before payload_started
  std::vector<Event> pending_;        // the run's among them, for the next read_available
  bool flush_ = false;                // no marker could be sent: hand out what waits at the next read
  uint64_t dropped_held_ = 0;
  uint64_t domain_denials_ = 0;
  bool synced_ = true;  // nothing to wait for until begin_sync
};

}  // namespace polc::telemetry
