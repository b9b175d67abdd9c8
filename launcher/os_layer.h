// Stage: launcher. The OS layer as sbx-exec applies it (os.json: namespaces, limits, mounts,
// workspaces): what prepare decides from the verified bundle without changing anything, and the
// steps the supervised child takes before it confines itself. The mounts themselves and the
// workspaces' overlays are launcher/os/'s (mounts.h, workspace.h); this file decides when.
//
// Order in a supervised run (docs/launcher.md, "The OS layer"):
//   supervisor: run's cgroup with the limits; workspaces staged; the child cloned into its user,
//     pid, mount, ipc and uts namespaces; its user namespace's maps written; the child placed in
//     the run's cgroup; then it may go on;
//   child: cgroup namespace (after the placement, so the run's group is its root); in a pid
//     namespace it becomes init and forks the payload, which goes on; hostname; mounts (private,
//     masks, read-only, tmpfs, minimal /dev, workspace overlays) and a /proc of the new pid
//     namespace; then the confinement (user, no_new_privs, Landlock, seccomp), with the rlimits
//     just before seccomp; exec.
//   supervisor: the wall-clock limit; at the end the limits' counters become events, and each
//     workspace is committed or discarded (workspace_verdict.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/bundle/attribution_schema.h"
#include "launcher/errors.h"
#include "launcher/os/os_spec.h"
#include "launcher/run_cgroup.h"
#include "launcher/telemetry/event.h"

namespace polc::launcher {

struct SpawnPlan;
struct LimitHits;

struct OsPlan {
  os::OsSpec spec;
  // The user namespace: named by the policy, or needed because sbx-exec is not root and the
  // policy asks for other namespaces (only a user namespace lets an unprivileged caller make them).
  bool user_ns = false;
  bool user_ns_implied = false;  // not named by the policy: needed by an unprivileged caller
  CgroupPlan cgroup;             // where the limits' controllers come from on this machine
  // The statements behind each limit, mount and workspace (attribution.json's os section), keyed by
  // the limit's name ("memory", "tasks", "time"...), "KIND PATH" for a mount, the workspace's path.
  std::map<std::string, telemetry::RuleRef> rules;
  // Set when this machine cannot apply the layer as the policy asks (not root and no user
  // namespace possible, a controller missing, no overlay for a workspace). Like the Landlock
  // refusal it is kept for --dry-run, and a run throws it.
  std::optional<Failure> refusal;

  bool namespaces_any() const;
  bool needs_supervisor() const;  // namespaces, cgroup limits, a time limit or workspaces
};

// The OS layer of a verified bundle: os.json parsed (refused when it does not parse) and checked
// against this machine. Attribution may be absent (older bundles: events then carry no statement).
OsPlan plan_os_layer(const std::string& os_json, const std::optional<bundle::Attribution>& attribution);

// The namespaces in the order they are made: "user", "pid", "mount", "ipc", "uts", "cgroup".
std::vector<std::string> namespace_names(const OsPlan& plan);

// How the supervisor creates the child: the clone flags, the user namespace's maps for the payload's
// uid and gid (`uid`, `gid`: the caller's, or --user's), and the time limit.
SpawnPlan spawn_plan(const OsPlan& plan, uid_t uid, gid_t gid);

// The hostname the payload sees in its own uts namespace.
inline constexpr const char* kSandboxHostname = "sandbox";

// In the child, after the supervisor let it go (supervisor.h ChildStart): the cgroup namespace, and
// with a pid namespace the init (pid_init.h), which returns in the payload. Returns the payload's
// pid as the supervisor's pid namespace numbers it. Throws Failure.
int64_t enter_namespaces(const OsPlan& plan, int launch_fd, int status_fd, int lifeline_fd);

// In the payload, in its namespaces: the hostname. Throws Failure.
void set_hostname(const OsPlan& plan);

// Just before seccomp: RLIMIT_NOFILE, RLIMIT_FSIZE (soft and hard), RLIMIT_CORE (0 unless the policy
// allows core dumps). Throws Failure(ApplyFailed).
void apply_rlimits(const os::Limits& limits);
// The rlimits as the audit line and the dry run name them: {"core": 0, "nofile": N, "fsize": N}.
nlohmann::json rlimits_json(const os::Limits& limits);

// The limits hit during the run as telemetry events (layer "limits"): an OOM kill, forks refused at
// the task limit, the wall-clock limit; each attributed to the limit's statement.
std::vector<telemetry::Event> limit_events(const OsPlan& plan, const LimitHits& hits, bool time_limit_hit);

// The audit line's "os" object for a run with this plan.
nlohmann::json os_audit_json(const OsPlan& plan, const std::vector<std::string>& cgroup_settings);

}  // namespace polc::launcher
