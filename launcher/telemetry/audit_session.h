// Stage: launcher telemetry. A fresh audit session for the payload (audit_run_scope.h says why).
// Called in the forked child before it drops its capabilities (changing a set loginuid needs
// CAP_AUDIT_CONTROL), before it confines itself (Landlock may forbid writing /proc, seccomp the
// calls), and before exec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace polc::telemetry {

struct NewAuditSession {
  std::optional<uint32_t> session;  // the new id; unset on failure
  std::string reason;               // why not, when unset
};

// Writes /proc/self/loginuid (the current loginuid when set, else the real uid): the kernel then
// gives the process a new session id. An unset loginuid needs no privilege to set; a set one
// needs CAP_AUDIT_CONTROL and a kernel that lets it change (not AUDIT_FEATURE_LOGINUID_IMMUTABLE).
// Reads the new id back from /proc/self/sessionid. Allocates only to describe a failure, and
// sbx-exec is single-threaded, so the forked child may call it.
NewAuditSession start_new_audit_session();

}  // namespace polc::telemetry
