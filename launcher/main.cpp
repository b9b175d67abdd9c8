// Stage: launcher. sbx-exec's entry point: verify a polc bundle, apply it to this process, and
// exec the payload in place so that its exit status is the launcher's.
//
// Order, and why:
//   1. read and verify everything, change nothing (prepare_launch): the bundle's integrity, then
//      its signatures against the trust file, then every layer; a refusal leaves no trace;
//   2. descriptors: every one above 2 but --keep-fd's marked close-on-exec, before nft is forked
//      (and again before seccomp, for anything opened since); the controlling terminal given up;
//   3. network namespace and nftables: needs privileges that no_new_privs and seccomp may remove,
//      and a fork (nft) that must not inherit a half-applied sandbox;
//   3a. the OS layer (os.json, os_layer.h): the run's cgroup with its limits and the workspaces
//      staged by the supervisor; the payload's process cloned into its namespaces (in a pid
//      namespace it becomes init and forks the payload), then its hostname and mounts, all before
//      Landlock; the rlimits come just before seccomp;
//   4. proxy environment;
//   5. the payload's user (--user): after everything that needs the caller's privileges; every
//      capability set emptied and the securebits locked (uid 0 refused);
//   6. no_new_privs: required by Landlock and seccomp for an unprivileged caller, and it keeps a
//      setuid payload from shedding the sandbox;
//   7. Landlock restrict_self;
//   8. seccomp last: the filter may deny the Landlock syscalls (or prctl) the steps before need;
//   9. the audit line, then execvp.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include "launcher/audit.h"
#include "launcher/confine.h"
#include "launcher/capabilities.h"
#include "launcher/descriptors.h"
#include "launcher/dry_run.h"
#include "launcher/errors.h"
#include "launcher/identity.h"
#include "launcher/landlock_apply.h"
#include "launcher/network.h"
#include "launcher/options.h"
#include "launcher/os/mounts.h"
#include "launcher/os/workspace.h"
#include "launcher/os_layer.h"
#include "launcher/run_workspaces.h"
#include "launcher/workspace_verdict.h"
#include "launcher/prepare.h"
#include "launcher/proxy_env.h"
#include "launcher/seccomp_apply.h"
#include "launcher/supervisor.h"
#include "launcher/telemetry/event_sink.h"
#include "launcher/telemetry/reporter.h"
#include "launcher/telemetry_setup.h"
#include "launcher/terminal.h"
#include "launcher/trust_check.h"

namespace polc::launcher {
namespace {

void print_error(const std::string& message) {
  std::string line = "sbx-exec: error: " + message + "\n";
  ssize_t ignored = ::write(2, line.data(), line.size());
  (void)ignored;
}

[[noreturn]] void exec_command(const Options& options, const ExecPreflight& preflight) {
  std::vector<char*> argv;
  for (const std::string& word : options.command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  const int err = errno;
  // The audit line already says the launch reached exec; the failure is the command's, reported
  // as a shell would.
  print_error(exec_failure_text(options.command[0], err, preflight));
  _exit(static_cast<int>(err == ENOENT || err == ENOTDIR ? ExitCode::NotFound : ExitCode::CannotExecute));
}

// Writes the audit line once RLIMIT_FSIZE may be in force: a log longer than the policy's
// file_size would otherwise have SIGXFSZ kill the launch before it could say why (the write
// fails instead, and the launch is refused as unaudited).
bool write_audit_line_limited(const AuditSink& sink, const std::string& line) {
  struct sigaction ignore {
  }, saved{};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  const bool swapped = sigaction(SIGXFSZ, &ignore, &saved) == 0;
  const bool written = sink.write(line);
  const int err = errno;
  if (swapped) sigaction(SIGXFSZ, &saved, nullptr);
  errno = err;
  return written;
}

// --exec-in-place: sbx-exec becomes the payload. No telemetry (the audit line says so).
int exec_in_place(const Options& options, const Prepared& p, const std::optional<Identity>& identity,
                  AuditRecord& record, const AuditSink& sink) {
  // No controlling terminal for the payload: it could push input into the caller's (terminal.h).
  // Namespaces, cgroup limits, the time limit and workspaces need the supervisor (and init); the
  // rlimits alone can be applied in place.
  if (p.os && p.os->needs_supervisor())
    throw Failure(ExitCode::Usage,
                  "--exec-in-place cannot apply the policy's OS layer (namespaces, cgroup limits, the "
                  "time limit, mounts or workspaces need sbx-exec's supervisor)");
  if (p.os) record.os = os_audit_json(*p.os, {});
  detach_controlling_terminal();
  setup_network(*options.network, options.netns_name, p.nftables.bytes);
  if (*options.network != NetworkMode::EnforcedExternally) record.layers.push_back("nftables");
  const ExecPreflight preflight = confine(options, p, identity, ConfineSettings{}, record);
  record.result = "exec";
  if (!write_audit_line_limited(sink, audit_line(record)))
    throw Failure(ExitCode::AuditFailed, "cannot write the audit line: " + errno_text(errno));
  exec_command(options, preflight);
}

// The forked child of a supervised run: its namespaces' steps (in a pid namespace it becomes init
// and the rest runs in the payload it forks), mounts, confine, write the exec line, exec. Never
// returns.
[[noreturn]] void payload_child(const Options& options, const Prepared& p, const std::optional<Identity>& identity,
                                pid_t supervisor, bool log_refusals, const ChildStart& start,
                                const std::vector<os::PreparedWorkspace>& workspaces, AuditRecord record,
                                const AuditSink& sink) {
  const int launch_fd = start.launch_fd;
  auto report = [&](char state, const std::string& text) {
    std::string data = state + text;
    const char* at = data.data();
    size_t left = data.size();
    while (left > 0) {
      const ssize_t n = ::write(launch_fd, at, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      at += n;
      left -= static_cast<size_t>(n);
    }
  };
  ExitCode code = ExitCode::ApplyFailed;
  std::string reason;
  try {
    // The supervisor placed this process in the run's group (whatever it starts from now on is in
    // it) and mapped its user namespace, or says why it could not. Without limits the cgroup is
    // not a layer of the sandbox: the end falls back to rounds of kill(2), and the exec line says so.
    if (start.refuse) throw Failure(ExitCode::ApplyFailed, *start.refuse);
    if (start.tree) record.tree = "process rounds (" + *start.tree + ")";
    ConfineSettings settings;
    settings.log_refusals = log_refusals;
    settings.audit_session = log_refusals;
    settings.supervisor = supervisor;
    if (p.os) {
      const int64_t pid = enter_namespaces(*p.os, start.launch_fd, start.status_fd, start.lifeline_fd);
      if (p.os->spec.pid_ns) {
        // The payload, PID 2: its parent is the namespace's init, which dies with the supervisor.
        settings.supervisor = 1;
        record.pid = pid;
      }
      if (!namespace_names(*p.os).empty()) record.layers.push_back("namespaces");
      settings.clear_namespace_capabilities = p.os->user_ns;
      set_hostname(*p.os);
      if (p.os->spec.mount_ns) {
        const os::MountReport mounts = os::apply_mounts(p.os->spec, workspaces);
        if (p.os->spec.pid_ns) os::mount_proc();
        record.layers.push_back("mounts");
        if (!workspaces.empty()) record.layers.push_back("workspace");
        if (record.os && record.os->is_object()) (*record.os)["mounts_applied"] = mounts.summary();
      }
    }
    const ExecPreflight preflight = confine(options, p, identity, settings, record);
    record.result = "exec";
    if (!record.pid) record.pid = getpid();
    const std::string line = audit_line(record);
    if (!write_audit_line_limited(sink, line))
      throw Failure(ExitCode::AuditFailed, "cannot write the audit line: " + errno_text(errno));
    report(kLaunchExec, line);
    exec_command(options, preflight);
  } catch (const Failure& failure) {
    code = failure.code();
    reason = failure.what();
  } catch (const std::exception& e) {
    reason = std::string("internal error: ") + e.what();
  }
  print_error(reason);
  record.result = "refused";
  record.exit_code = static_cast<int>(code);
  record.reason = reason;
  if (!write_audit_line_limited(sink, audit_line(record)) && code != ExitCode::AuditFailed)
    print_error("cannot write the audit line: " + errno_text(errno));
  report(kLaunchRefused, reason);
  _exit(static_cast<int>(code));
}

// The layers whose refusals a workspace's `discard on refusal` can count in this run, each with
// why the supervisor does not know them ("" when it reads them).
std::map<std::string, std::string> observed_layers(const Options& options, const Prepared& p, const Telemetry& t) {
  auto unavailable = [&](const std::string& source) {
    for (const std::string& why : t.unavailable)
      if (why.rfind(source + ": ", 0) == 0) return why.substr(source.size() + 2);
    return std::string("not read");
  };
  const bool audit = std::find(t.available.begin(), t.available.end(), "audit") != t.available.end();
  std::map<std::string, std::string> layers;
  layers["seccomp"] = audit ? "" : unavailable("audit");
  layers["launcher"] = audit ? "" : unavailable("audit");
  if (p.plan.any()) {
    std::string landlock = audit ? "" : unavailable("audit");
    for (const std::string& why : t.unavailable)
      if (landlock.empty() && why.rfind("landlock_log: ", 0) == 0) landlock = why.substr(14);
    layers["landlock"] = landlock;
  }
  const bool nflog = std::find(t.available.begin(), t.available.end(), "nflog") != t.available.end();
  layers["nftables"] = nflog ? "" : unavailable("nflog");
  if (p.proxy) {
    const bool proxy = std::find(t.available.begin(), t.available.end(), "proxy_log") != t.available.end();
    layers["proxy"] = proxy ? "" : options.proxy_log ? unavailable("proxy_log") : "no --proxy-log";
  }
  layers["limits"] = "";
  return layers;
}

// The default: sbx-exec forks the payload and supervises it (supervisor.h).
int supervised(const Options& options, const Prepared& p, const std::optional<Identity>& identity, AuditRecord& record,
               const AuditSink& sink, telemetry::EventSink& events) {
  // The audit channel in the host's namespace; then, in the supervisor before the fork, the
  // network step (the payload inherits the namespace) and the sources that read that namespace.
  Telemetry telemetry = open_host_telemetry(p);
  setup_network(*options.network, options.netns_name, p.nftables.bytes);
  if (*options.network != NetworkMode::EnforcedExternally) record.layers.push_back("nftables");
  open_namespace_telemetry(options, p, telemetry);

  telemetry::BundleId id{record.policy.value_or(""), record.version.value_or(0), record.manifest_sha256.value_or("")};
  telemetry::Reporter reporter(id, events);
  record.telemetry_sources = telemetry.available;
  record.telemetry_unavailable = telemetry.unavailable;
  for (const std::string& why : telemetry.unavailable) {
    const size_t colon = why.find(": ");
    reporter.notice(why.substr(0, colon), colon == std::string::npos ? why : why.substr(colon + 2));
  }
  for (const std::string& why : telemetry.warnings) {
    const std::string line = "sbx-exec: telemetry: " + why + "\n";
    ssize_t ignored = ::write(2, line.data(), line.size());
    (void)ignored;
  }
  const pid_t supervisor = getpid();
  std::string no_cgroup;
  // The run's group; with the policy's limits set in it (a limit that cannot be set refuses).
  const os::Limits* limits = p.os && p.os->cgroup.needed() ? &p.os->spec.limits : nullptr;
  std::unique_ptr<RunCgroup> cgroup = RunCgroup::create(limits, no_cgroup);
  record.tree = cgroup ? "cgroup " + cgroup->path() : "process rounds (" + no_cgroup + ")";
  if (cgroup && cgroup->limited()) record.layers.push_back("cgroup_limits");
  // Workspaces staged before the payload's process exists; mounted by it in its namespace.
  std::unique_ptr<RunWorkspaces> workspaces;
  if (p.os && !p.os->spec.workspaces.empty())
    workspaces = std::make_unique<RunWorkspaces>(*p.os, options.workspace_staging.value_or(os::kDefaultStagingParent));
  const std::vector<os::PreparedWorkspace> no_workspaces;
  SpawnPlan spawn;
  if (p.os) {
    spawn = spawn_plan(*p.os, identity ? identity->uid : getuid(), identity ? identity->gid : getgid());
    record.os = os_audit_json(*p.os, cgroup ? cgroup->settings() : std::vector<std::string>{});
  }
  Supervisor sup(telemetry.pointers(), reporter, cgroup.get());
  PayloadEnd end = sup.run(spawn, [&](const ChildStart& start) {
    payload_child(options, p, identity, supervisor, telemetry.audit, start,
                  workspaces ? workspaces->prepared() : no_workspaces, record, sink);
  });
  // The sources hand back what they hold of the machine's state (audit's registration and
  // settings) now: ending like the payload may raise a signal, which runs no destructor.
  telemetry.sources.clear();
  if (!end.launched) return end.exit_code;  // the child said why, and wrote the refused line

  // The limits the run hit, as events of their own (the kernel's counters, read once the run is
  // over; the time limit is the supervisor's).
  nlohmann::json os_end = nlohmann::json::object();
  if (p.os) {
    nlohmann::json hit = nlohmann::json::array();
    for (telemetry::Event& e : limit_events(*p.os, end.limit_hits, end.time_limit_hit)) {
      hit.push_back(e.decision);
      reporter.report(e);
    }
    os_end["limits_hit"] = hit;
  }
  if (workspaces) {
    RunObservation run;
    run.signal = end.signal;
    run.exit_code = end.exit_code;
    run.time_limit_hit = end.time_limit_hit;
    run.oom_kills = end.limit_hits.oom_kills;
    run.left_running = end.left_running;
    run.counts = reporter.counts();
    run.layers = observed_layers(options, p, telemetry);
    std::string said;
    os_end["workspaces"] = workspaces->finish(run, said);
    ssize_t ignored = ::write(2, said.data(), said.size());
    (void)ignored;
  }
  if (p.os) record.os_end = os_end;
  reporter.finish(1000);
  const std::string summary = telemetry::summary_text(reporter, options.events.value_or(""));
  if (!summary.empty()) {
    ssize_t ignored = ::write(2, summary.data(), summary.size());
    (void)ignored;
  }
  record.result = "exit";
  record.payload_exit_code = end.exit_code;
  record.payload_signal = end.signal;
  record.left_running = end.left_running;
  record.refusals = reporter.counts();
  if (!sink.write(exit_line(end.launch_report, record)))
    print_error("cannot write the audit line: " + errno_text(errno));
  // Ending like the payload may raise a signal, which runs no destructor: the run's groups are
  // removed (and unfinished workspaces discarded) now, or they would be left behind.
  workspaces.reset();
  cgroup.reset();
  return end_like_payload(end);
}

// Verifies and applies the bundle, then runs the payload supervised (or in place). Returns the
// exit status sbx-exec exits with, or throws a refusal.
int launch(const Options& options, AuditRecord& record, const AuditSink& sink, telemetry::EventSink& events) {
  // Resolved before anything changes, so an unknown user refuses the launch cleanly.
  std::optional<Identity> identity;
  if (options.user) identity = resolve_identity(*options.user);
  record.user_spec = options.user;
  Prepared p = prepare_launch(options, record.trust, [&](const Bundle& bundle) {
    record.bundle = bundle.contents.real_dir;
    record.policy = bundle.contents.manifest.policy_name;
    record.version = bundle.contents.manifest.policy_version;
    record.manifest_sha256 = bundle.contents.manifest_sha256;
  });
  record.landlock_abi_kernel = p.kernel_abi;
  record.seccomp_file = p.seccomp.file;
  record.seccomp_instructions = p.seccomp.instructions;
  if (options.dry_run) {
    // The report is printed even when this kernel would refuse: it says why, and the exit status
    // is the one a run would have.
    int code = 0;
    std::cout << dry_run_report(options, p, code) << std::flush;
    return code;
  }
  if (p.kernel_refusal) throw *p.kernel_refusal;
  if (p.os && p.os->refusal) throw *p.os->refusal;
  record.landlock_abi_used = p.plan.abi_used;
  record.dropped = p.plan.dropped;

  // The nft child is waited for; a caller that ignores SIGCHLD would make the kernel reap it
  // and waitpid fail, so the default disposition is restored for the payload as well (exec keeps
  // an ignored SIGCHLD, and a payload expecting to reap its children needs the default).
  signal(SIGCHLD, SIG_DFL);
  // Before nft is forked: not even the launcher's helper gets the caller's other descriptors.
  close_on_exec_all_but(options.keep_fds);
  if (options.exec_in_place) return exec_in_place(options, p, identity, record, sink);
  return supervised(options, p, identity, record, sink, events);
}

int run(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const Failure& failure) {
    // A bad command line attempted nothing; it gets the error but no audit line.
    print_error(failure.what());
    return static_cast<int>(failure.code());
  }
  if (options.help) {
    std::cout << help_text() << exit_code_table() << "\nSee docs/launcher.md.\n";
    return 0;
  }
  if (options.insecure_dev_unsigned) {
    // On every run, dry or not, before anything else: nobody should rely on this mode unawares.
    ssize_t ignored = ::write(2, kInsecureDevWarning, std::char_traits<char>::length(kInsecureDevWarning));
    (void)ignored;
  }

  std::unique_ptr<AuditSink> sink;
  std::unique_ptr<telemetry::EventSink> events;
  try {
    // Before the launcher opens anything: a kept number (and --events fd:N) must be the caller's
    // descriptor.
    check_kept_descriptors(options.keep_fds);
    try {
      events = options.events && !options.dry_run ? std::make_unique<telemetry::EventSink>(*options.events)
                                                  : std::make_unique<telemetry::EventSink>();
    } catch (const std::runtime_error& e) {
      throw Failure(ExitCode::AuditFailed, e.what());
    }
    sink = options.audit_log ? std::make_unique<AuditSink>(*options.audit_log) : std::make_unique<AuditSink>();
  } catch (const Failure& failure) {
    print_error(failure.what());
    return static_cast<int>(failure.code());
  }

  AuditRecord record;
  record.bundle = options.bundle;
  record.trust = initial_trust_decision(options);
  record.network_mode = network_mode_name(*options.network);
  if (*options.network == NetworkMode::JoinNamespace) record.netns = options.netns_name;
  record.command = options.command;
  record.kept_fds = options.keep_fds;
  record.uid = getuid();
  record.gid = getgid();
  if (!options.exec_in_place) {
    record.supervisor_pid = getpid();
    record.events = options.events;
  }

  ExitCode code;
  std::string reason;
  try {
    return launch(options, record, *sink, *events);
  } catch (const Failure& failure) {
    code = failure.code();
    reason = failure.what();
  } catch (const std::exception& e) {
    // Anything unexpected still stops the launch: the payload never runs less confined.
    code = ExitCode::ApplyFailed;
    reason = std::string("internal error: ") + e.what();
  }
  print_error(reason);
  if (!options.dry_run) {
    record.result = "refused";
    record.exit_code = static_cast<int>(code);
    record.reason = reason;
    if (!sink->write(audit_line(record)) && code != ExitCode::AuditFailed) {
      print_error("cannot write the audit line: " + errno_text(errno));
    }
  }
  return static_cast<int>(code);
}

}  // namespace
}  // namespace polc::launcher

int main(int argc, char** argv) { return polc::launcher::run(argc, argv); }
