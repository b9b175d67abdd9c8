// Stage: launcher. The OS layer's plan and the child's namespace steps (os_layer.h).
#include "launcher/os_layer.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <fstream>
#include <sstream>

#include "launcher/os/os_json.h"
#include "launcher/os_attribution.h"
#include "launcher/pid_init.h"
#include "launcher/supervisor.h"

namespace polc::launcher {

namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool kernel_has_filesystem(const std::string& name) {
  std::ifstream in("/proc/filesystems");
  std::string line;
  while (std::getline(in, line)) {
    const size_t tab = line.rfind('\t');
    if ((tab == std::string::npos ? line : line.substr(tab + 1)) == name) return true;
  }
  return false;
}

// Why an unprivileged caller cannot make a user namespace here ("" when it can).
std::string user_namespace_unavailable() {
  const std::string max = first_line("/proc/sys/user/max_user_namespaces");
  if (max == "0") return "user namespaces are disabled (/proc/sys/user/max_user_namespaces is 0)";
  if (first_line("/proc/sys/kernel/unprivileged_userns_clone") == "0")
    return "unprivileged user namespaces are disabled (/proc/sys/kernel/unprivileged_userns_clone is 0)";
  return "";
}

telemetry::Event limit_event(const OsPlan& plan, const char* decision, const std::string& limit,
                             std::optional<uint64_t> value, std::optional<uint64_t> count) {
  telemetry::Event e;
  e.time = telemetry::rfc3339_utc_now();
  e.layer = telemetry::Layer::Limits;
  e.decision = decision;
  e.request.limit = limit;
  e.request.value = value;
  e.request.count = count;
  const auto rule = plan.rules.find(limit);
  if (rule != plan.rules.end()) e.rule = rule->second;
  return e;
}

}  // namespace

bool OsPlan::namespaces_any() const {
  return spec.cgroup_ns || spec.ipc_ns || spec.mount_ns || spec.pid_ns || spec.user_ns || spec.uts_ns || user_ns;
}

bool OsPlan::needs_supervisor() const {
  return namespaces_any() || cgroup.needed() || spec.limits.time_ms || !spec.workspaces.empty() || !spec.mounts.empty();
}

OsPlan plan_os_layer(const std::string& os_json, const std::optional<bundle::Attribution>& attribution) {
  OsPlan plan;
  plan.spec = os::parse_os_json(os_json);
  os::OsSpec& s = plan.spec;
  // Mounts, workspaces and a pid namespace (its /proc) are made in a mount namespace of the
  // payload's own; polc's os.json lists it then, and a hand-written one gets it all the same.
  if (s.pid_ns || !s.mounts.empty() || !s.workspaces.empty()) s.mount_ns = true;
  if (attribution) plan.rules = os_rules(*attribution, s);

  const bool root = geteuid() == 0;
  const bool other_namespaces = s.cgroup_ns || s.ipc_ns || s.mount_ns || s.pid_ns || s.uts_ns;
  plan.user_ns = s.user_ns || (!root && other_namespaces);
  plan.user_ns_implied = plan.user_ns && !s.user_ns;
  if (plan.user_ns && !root) {
    const std::string why = user_namespace_unavailable();
    if (!why.empty())
      plan.refusal =
          Failure(ExitCode::KernelLacks, "the policy's namespaces need root or a user namespace, and " + why);
  }
  plan.cgroup = plan_cgroup(s.limits);
  if (!plan.refusal && plan.cgroup.refusal) plan.refusal = Failure(ExitCode::KernelLacks, *plan.cgroup.refusal);
  if (!plan.refusal && !s.workspaces.empty() && !kernel_has_filesystem("overlay"))
    plan.refusal =
        Failure(ExitCode::KernelLacks,
                "the policy's workspaces need overlayfs, which this kernel does not offer (/proc/filesystems)");
  return plan;
}

std::vector<std::string> namespace_names(const OsPlan& plan) {
  std::vector<std::string> names;
  if (plan.user_ns) names.push_back("user");
  if (plan.spec.pid_ns) names.push_back("pid");
  if (plan.spec.mount_ns) names.push_back("mount");
  if (plan.spec.ipc_ns) names.push_back("ipc");
  if (plan.spec.uts_ns) names.push_back("uts");
  if (plan.spec.cgroup_ns) names.push_back("cgroup");
  return names;
}

SpawnPlan spawn_plan(const OsPlan& plan, uid_t uid, gid_t gid) {
  SpawnPlan spawn;
  if (plan.user_ns) spawn.namespaces |= CLONE_NEWUSER;
  if (plan.spec.pid_ns) spawn.namespaces |= CLONE_NEWPID;
  if (plan.spec.mount_ns) spawn.namespaces |= CLONE_NEWNS;
  if (plan.spec.ipc_ns) spawn.namespaces |= CLONE_NEWIPC;
  if (plan.spec.uts_ns) spawn.namespaces |= CLONE_NEWUTS;
  if (plan.user_ns) {
    if (geteuid() == 0) {
      // Root maps every id to itself: --user and the ownership of files work as without the
      // namespace, whose point is the unprivileged caller.
      spawn.uid_map = "0 0 4294967295";
      spawn.gid_map = "0 0 4294967295";
    } else {
      // An unprivileged caller may map only its own ids, and only after giving up setgroups.
      spawn.uid_map = std::to_string(uid) + " " + std::to_string(uid) + " 1";
      spawn.gid_map = std::to_string(gid) + " " + std::to_string(gid) + " 1";
      spawn.deny_setgroups = true;
    }
  }
  spawn.time_limit_ms = plan.spec.limits.time_ms;
  return spawn;
}

int64_t enter_namespaces(const OsPlan& plan, int launch_fd, int status_fd, int lifeline_fd) {
  // After the supervisor placed this process in the run's group: that group is the root the
  // payload sees in /proc/self/cgroup and /sys/fs/cgroup.
  if (plan.spec.cgroup_ns && unshare(CLONE_NEWCGROUP) != 0)
    throw Failure(ExitCode::ApplyFailed, "cannot create the payload's cgroup namespace: " + errno_text(errno));
  if (!plan.spec.pid_ns) return getpid();
  become_init(launch_fd, status_fd, lifeline_fd);
  // The payload, PID 2. /proc is still the host's here (the new one is mounted later), and its
  // "self" names this process as the supervisor's namespace numbers it: what the audit records
  // of its Landlock domain carry.
  char self[32] = {};
  const ssize_t n = readlink("/proc/self", self, sizeof self - 1);
  if (n <= 0) throw Failure(ExitCode::ApplyFailed, "cannot read /proc/self in the pid namespace: " + errno_text(errno));
  return std::stoll(std::string(self, static_cast<size_t>(n)));
}

void set_hostname(const OsPlan& plan) {
  if (!plan.spec.uts_ns) return;
  const std::string name = kSandboxHostname;
  if (sethostname(name.data(), name.size()) != 0)
    throw Failure(ExitCode::ApplyFailed,
                  "cannot set the hostname in the payload's uts namespace: " + errno_text(errno));
}

void apply_rlimits(const os::Limits& limits) {
  auto set = [](int resource, const char* name, uint64_t value) {
    const rlimit lim{static_cast<rlim_t>(value), static_cast<rlim_t>(value)};
    if (setrlimit(resource, &lim) != 0)
      throw Failure(ExitCode::ApplyFailed,
                    std::string("cannot set ") + name + " to " + std::to_string(value) + ": " + errno_text(errno));
  };
  if (limits.open_files) set(RLIMIT_NOFILE, "RLIMIT_NOFILE", *limits.open_files);
  if (limits.file_size) set(RLIMIT_FSIZE, "RLIMIT_FSIZE", *limits.file_size);
  if (!limits.core_dumps) set(RLIMIT_CORE, "RLIMIT_CORE", 0);
}

nlohmann::json rlimits_json(const os::Limits& limits) {
  nlohmann::json j = nlohmann::json::object();
  if (!limits.core_dumps) j["core"] = 0;
  if (limits.open_files) j["nofile"] = *limits.open_files;
  if (limits.file_size) j["fsize"] = *limits.file_size;
  return j;
}

std::vector<telemetry::Event> limit_events(const OsPlan& plan, const LimitHits& hits, bool time_limit_hit) {
  std::vector<telemetry::Event> events;
  const os::Limits& l = plan.spec.limits;
  if (hits.oom_kills > 0)
    events.push_back(limit_event(plan, "oom_kill", l.memory ? "memory" : "memory_swap",
                                 l.memory ? l.memory : l.memory_swap, hits.oom_kills));
  if (hits.tasks_max > 0) events.push_back(limit_event(plan, "tasks_max", "tasks", l.tasks, hits.tasks_max));
  if (time_limit_hit) events.push_back(limit_event(plan, "time_limit", "time", l.time_ms, std::nullopt));
  return events;
}

nlohmann::json os_audit_json(const OsPlan& plan, const std::vector<std::string>& cgroup_settings) {
  nlohmann::json mounts = nlohmann::json::array();
  for (const os::Mount& m : plan.spec.mounts) mounts.push_back(std::string(os::mount_kind_name(m.kind)) + " " + m.path);
  nlohmann::json workspaces = nlohmann::json::array();
  for (const os::Workspace& w : plan.spec.workspaces) workspaces.push_back(w.path);
  nlohmann::json limits = nlohmann::json::object();
  if (plan.spec.limits.time_ms) limits["time_ms"] = *plan.spec.limits.time_ms;
  return {{"namespaces", namespace_names(plan)},
          {"hostname", plan.spec.uts_ns ? nlohmann::json(kSandboxHostname) : nlohmann::json(nullptr)},
          {"cgroup", cgroup_settings},
          {"limits", limits},
          {"rlimits", rlimits_json(plan.spec.limits)},
          {"mounts", mounts},
          {"workspaces", workspaces}};
}

}  // namespace polc::launcher
