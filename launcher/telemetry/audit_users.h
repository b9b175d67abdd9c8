// Stage: launcher telemetry. Several sbx-exec supervisors may read audit at once (many sandboxes
// on one host), but audit's settings are global: the first turns audit on and raises the backlog
// limit, and only the last may put them back, to what they were before the first. A lock file in
// /run (root's own directory) records those settings and counts the users: each holds a shared
// flock(2) while it reads; one that can take the lock exclusively is alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "compiler/posix/unique_fd.h"

namespace polc::telemetry {

struct AuditSettings {
  uint32_t enabled = 0;
  uint32_t backlog_limit = 0;
};

class AuditUsers {
 public:
  static constexpr const char* kPath = "/run/polc-audit.lock";

  // Registers this process as a user. `now` is audit's current setting: when no other user holds
  // the file it is recorded as the one to restore. Returns the recorded setting (which predates
  // every current user), or nullopt when the file cannot be used (then each user restores what it
  // saw itself, as without the file). `path` is for tests.
  std::optional<AuditSettings> join(const AuditSettings& now, const std::string& path = kPath);
  // True when no other user holds the file: this one is the last and restores. Releases the file.
  // Without a file (join failed), true.
  bool leave_last();

 private:
  UniqueFd fd_;
};

}  // namespace polc::telemetry
