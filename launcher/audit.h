// Stage: launcher. The audit line: one JSON object per launch, written just before the payload is
// exec'd (or when the launch is refused), to stderr or appended to --audit-log FILE.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "launcher/capabilities.h"
#include "launcher/landlock_policy.h"
#include "launcher/telemetry/reporter.h"
#include "launcher/trust_check.h"

namespace polc::launcher {

// Everything known about the launch so far; fields not reached yet stay empty and are written
// as null, so every line has the same keys whatever step it stopped at.
struct AuditRecord {
  // "exec" (written by the payload's process just before exec), "refused", or "exit" (written by
  // the supervisor when the payload and its tree are gone).
  std::string result;
  std::optional<int64_t> pid;    // the payload's pid; the writing process's when unset
  std::optional<int> exit_code;  // refused: the launcher's exit status
  std::optional<std::string> reason;
  std::string bundle;  // canonical path when known, else as given
  std::optional<std::string> policy;
  std::optional<int64_t> version;
  std::optional<std::string> manifest_sha256;
  TrustDecision trust;  // who vouched for the bundle, as far as the trust check got
  std::optional<int> landlock_abi_kernel;
  std::optional<int> landlock_abi_used;
  std::vector<std::string> layers;  // applied, in the order they were applied
  std::vector<DroppedLayer> dropped;
  std::vector<std::string> skipped_paths;
  std::optional<std::string> seccomp_file;
  std::optional<size_t> seccomp_instructions;
  std::string network_mode;
  std::optional<std::string> netns;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> command;
  // The payload's identity: uid and gid after --user (or the caller's), and the spec given.
  std::optional<std::string> user_spec;
  int64_t uid = -1;
  int64_t gid = -1;
  // The payload's capability sets once the user step is done: emptied and locked ("cleared")
  // with --user, the caller's ("caller") without. Unset when the launch stopped before.
  std::optional<std::string> capabilities_mode;
  CapabilityState capabilities;
  std::vector<int> kept_fds;  // --keep-fd: the descriptors above 2 the payload inherits
  // The supervisor (unset with --exec-in-place: no telemetry) and its telemetry: the sources read,
  // and those that could not be, each with why.
  std::optional<int64_t> supervisor_pid;
  std::optional<std::string> events;  // --events DEST
  std::vector<std::string> telemetry_sources;
  std::vector<std::string> telemetry_unavailable;
  // The payload's audit session id (set before exec, inherited by every descendant): the key the
  // supervisor takes the kernel's audit records of this run by.
  std::optional<int64_t> audit_session;
  // How the end kills the payload's tree: "cgroup PATH", or "process rounds (why no cgroup)".
  std::optional<std::string> tree;
  // "exit" lines: how the payload ended, and what the telemetry counted.
  std::optional<int> payload_exit_code;
  std::optional<int> payload_signal;
  size_t left_running = 0;
  std::optional<telemetry::Counts> refusals;
  // The OS layer (os.json) as this run applies it: namespaces, cgroup settings, rlimits, mounts,
  // workspaces (os_layer.h os_audit_json); unset for bundles without one. `os_end`, on exit lines:
  // the limits hit and what became of each workspace, merged into it.
  std::optional<nlohmann::json> os;
  std::optional<nlohmann::json> os_end;
};

// The line, without its newline: keys sorted, no whitespace. Bytes that are not UTF-8 (a
// command argument can be anything) are replaced, never a reason to fail.
std::string audit_line(const AuditRecord& record);
nlohmann::json audit_json(const AuditRecord& record);
std::string dump_line(const nlohmann::json& line);

// The supervisor's "exit" line: the payload's exec line (`exec_line`, as it wrote it) with the
// ending's keys (time, result, exit_code, telemetry, payload, refusals) from
// `record`. The pid stays the payload's: both lines name the same run.
std::string exit_line(const std::string& exec_line, const AuditRecord& record);

// Where lines go. Opened before anything is applied: the file must be writable before the
// payload may run, and an already open descriptor is not subject to the Landlock rules the
// launcher applies to itself afterwards. Close-on-exec, so the payload never inherits it.
class AuditSink {
 public:
  AuditSink() = default;  // stderr
  // Throws Failure(AuditFailed) when FILE cannot be opened for appending.
  explicit AuditSink(const std::string& path);
  AuditSink(const AuditSink&) = delete;
  AuditSink& operator=(const AuditSink&) = delete;
  // One write(2) of line + "\n" (O_APPEND keeps concurrent launchers' lines whole). False when
  // the line could not be written completely.
  bool write(const std::string& line) const;

 private:
  int fd_ = 2;
};

}  // namespace polc::launcher
