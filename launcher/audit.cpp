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

std::string audit_line(const AuditRecord& r) {
  nlohmann::json line;
  line["audit"] = "sbx-exec/1";
  line["launcher"] = "sbx-exec " POLC_VERSION;
  line["time"] = utc_now();
  line["pid"] = getpid();  // the payload's pid too: exec keeps it
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
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
