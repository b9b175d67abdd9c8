// Stage: launcher. Audit line formatting and writing.
#include "launcher/audit.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "launcher/errors.h"

namespace polc::launcher {

namespace {

std::string utc_now() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm parts{};
  gmtime_r(&now.tv_sec, &parts);
  char text[32];
  strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json trust_json(const TrustDecision& t) {
  nlohmann::json signers = nlohmann::json::array();
  for (const TrustDecision::Signer& s : t.signers)
    signers.push_back(
        {{"key_id", s.key_id}, {"name", s.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.name)}});
  const bool dev = t.mode == TrustDecision::Mode::InsecureDevUnsigned;
  return {{"mode", dev ? "insecure-dev-unsigned" : "trust-file"},
          {"file", dev ? nlohmann::json(nullptr) : nlohmann::json(t.file)},
          {"sha256", or_null(t.sha256)},
          {"threshold", or_null(t.threshold)},
          {"min_version", or_null(t.min_version)},
          {"signers", signers},
          {"decision", or_null(t.decision)}};
}

}  // namespace

nlohmann::json audit_json(const AuditRecord& r) {
  nlohmann::json line;
  line["audit"] = "sbx-exec/1";
  line["launcher"] = "sbx-exec " POLC_VERSION;
  line["time"] = utc_now();
  line["pid"] = r.pid.value_or(getpid());  // before exec, the payload's pid too: exec keeps it
  line["result"] = r.result;
  line["exit_code"] = or_null(r.exit_code);
  line["reason"] = or_null(r.reason);
  line["bundle"] = r.bundle;
  line["policy"] = or_null(r.policy);
  line["version"] = or_null(r.version);
  line["manifest_sha256"] = or_null(r.manifest_sha256);
  line["trust"] = trust_json(r.trust);
  line["landlock_abi_kernel"] = or_null(r.landlock_abi_kernel);
  line["landlock_abi_used"] = or_null(r.landlock_abi_used);
  line["layers"] = r.layers;
  nlohmann::json dropped = nlohmann::json::array();
  for (const DroppedLayer& d : r.dropped)
    dropped.push_back({{"layer", d.layer}, {"needs_abi", d.needs_abi}, {"reason", d.reason}});
  line["dropped"] = dropped;
  line["skipped_paths"] = r.skipped_paths;
  if (r.seccomp_file)
    line["seccomp"] = {{"file", *r.seccomp_file}, {"instructions", r.seccomp_instructions.value_or(0)}};
  else line["seccomp"] = nullptr;
  line["network"] = {{"mode", r.network_mode.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.network_mode)},
                     {"netns", or_null(r.netns)}};
  nlohmann::json env = nlohmann::json::object();
  for (const auto& [name, value] : r.env) env[name] = value;
  line["env"] = env;
  line["command"] = r.command;
  line["user"] = {{"uid", r.uid}, {"gid", r.gid}, {"spec", or_null(r.user_spec)}};
  if (r.capabilities_mode) {
    const CapabilityState& c = r.capabilities;
    line["capabilities"] = {{"mode", *r.capabilities_mode},      {"effective", cap_hex(c.effective)},
                            {"permitted", cap_hex(c.permitted)}, {"inheritable", cap_hex(c.inheritable)},
                            {"ambient", cap_hex(c.ambient)},     {"bounding", cap_hex(c.bounding)},
                            {"securebits", c.securebits}};
  } else {
    line["capabilities"] = nullptr;
  }
  line["kept_fds"] = r.kept_fds;
  if (r.supervisor_pid) {
    line["supervisor"] = {{"pid", *r.supervisor_pid},
                          {"events", or_null(r.events)},
                          {"telemetry", r.telemetry_sources},
                          {"telemetry_unavailable", r.telemetry_unavailable},
                          {"audit_session", or_null(r.audit_session)},
                          {"tree", or_null(r.tree)}};
  } else {
    line["supervisor"] = nullptr;
  }
  line["telemetry"] = r.supervisor_pid ? "supervisor" : "none (--exec-in-place)";
  if (r.result == "exit") {
    line["payload"] = {{"exit_code", or_null(r.payload_exit_code)},
                       {"signal", or_null(r.payload_signal)},
                       {"left_running", r.left_running}};
  } else {
    line["payload"] = nullptr;
  }
  line["os"] = r.os ? *r.os : nlohmann::json(nullptr);
  if (r.os_end && line["os"].is_object()) line["os"].update(*r.os_end);
  if (r.refusals) {
    const telemetry::Counts& c = *r.refusals;
    nlohmann::json by_layer = nlohmann::json::object();
    uint64_t rate_limited = 0;
    for (size_t i = 0; i < telemetry::kLayerCount; ++i) {
      by_layer[telemetry::layer_name(static_cast<telemetry::Layer>(i))] = c.refusals[i];
      rate_limited += c.dropped[i];
    }
    line["refusals"] = {{"total", c.total()},
                        {"by_layer", by_layer},
                        {"dropped", rate_limited},
                        {"lost", c.lost},
                        {"events_lost", c.sink_lost}};
  } else {
    line["refusals"] = nullptr;
  }
  return line;
}

std::string audit_line(const AuditRecord& r) { return dump_line(audit_json(r)); }

std::string dump_line(const nlohmann::json& line) {
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string exit_line(const std::string& exec_line, const AuditRecord& r) {
  // What was applied is in the payload's own exec line: the supervisor only knows what it did
  // itself, so the exit line repeats that line's keys and adds how the run ended.
  nlohmann::json line = nlohmann::json::parse(exec_line, nullptr, false);
  const nlohmann::json ending = audit_json(r);
  if (!line.is_object()) return dump_line(ending);
  for (const char* key : {"time", "result", "exit_code", "reason", "telemetry", "payload", "refusals"})
    line[key] = ending[key];
  if (r.os_end && line.contains("os") && line["os"].is_object()) line["os"].update(*r.os_end);
  return dump_line(line);
}

AuditSink::AuditSink(const std::string& path) {
  // O_NOFOLLOW: the launcher usually runs as root, and a link another user planted at the log's
  // name (a log directory a service account may write, /tmp) would have it append to any file;
  // the line holds text others choose (link names in refusal reasons), such as "$(...)" for a
  // shell startup file.
  fd_ = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
  if (fd_ < 0) {
    const int err = errno;
    throw Failure(ExitCode::AuditFailed,
                  "cannot open audit log " + path + ": " +
                      (err == ELOOP ? std::string("it is a symbolic link, which is not followed") : errno_text(err)));
  }
}

bool AuditSink::write(const std::string& line) const {
  std::string data = line + "\n";
  ssize_t n;
  do {
    n = ::write(fd_, data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(data.size());
}

}  // namespace polc::launcher
