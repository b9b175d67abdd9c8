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

#include <cerrno>
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

[[noreturn]] void exec_command(const Options& options) {
  std::vector<char*> argv;
  for (const std::string& word : options.command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  const int err = errno;
  // The audit line already says the launch reached exec; the failure is the command's, reported
  // as a shell would.
  print_error("cannot execute " + options.command[0] + ": " + errno_text(err));
  _exit(static_cast<int>(err == ENOENT || err == ENOTDIR ? ExitCode::NotFound : ExitCode::CannotExecute));
}

// --exec-in-place: sbx-exec becomes the payload. No telemetry (the audit line says so).
int exec_in_place(const Options& options, const Prepared& p, const std::optional<Identity>& identity,
                  AuditRecord& record, const AuditSink& sink) {
  // No controlling terminal for the payload: it could push input into the caller's (terminal.h).
  detach_controlling_terminal();
  setup_network(*options.network, options.netns_name, p.nftables.bytes);
  if (*options.network != NetworkMode::EnforcedExternally) record.layers.push_back("nftables");
  confine(options, p, identity, ConfineSettings{}, record);
  record.result = "exec";
  if (!sink.write(audit_line(record)))
    throw Failure(ExitCode::AuditFailed, "cannot write the audit line: " + errno_text(errno));
  exec_command(options);
}

// The forked child of a supervised run: confine, write the exec line, exec. Never returns.
[[noreturn]] void payload_child(const Options& options, const Prepared& p, const std::optional<Identity>& identity,
                                pid_t supervisor, bool log_refusals, const RunCgroup* cgroup, AuditRecord record,
                                const AuditSink& sink, int launch_fd) {
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
    // First: whatever it starts from now on is in the run's group. Not a layer of the sandbox:
    // where the kernel refuses, the end falls back to rounds of kill(2), and the exec line says so.
    if (cgroup && !cgroup->enter())
      record.tree = "process rounds (cannot enter " + cgroup->path() + ": " + errno_text(errno) + ")";
    ConfineSettings settings;
    settings.log_refusals = log_refusals;
    settings.audit_session = log_refusals;
    settings.supervisor = supervisor;
    confine(options, p, identity, settings, record);
    record.result = "exec";
    record.pid = getpid();
    const std::string line = audit_line(record);
    if (!sink.write(line)) throw Failure(ExitCode::AuditFailed, "cannot write the audit line: " + errno_text(errno));
    report(kLaunchExec, line);
    exec_command(options);
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
  if (!sink.write(audit_line(record)) && code != ExitCode::AuditFailed)
    print_error("cannot write the audit line: " + errno_text(errno));
  report(kLaunchRefused, reason);
  _exit(static_cast<int>(code));
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
  const std::unique_ptr<RunCgroup> cgroup = RunCgroup::create(no_cgroup);
  record.tree = cgroup ? "cgroup " + cgroup->path() : "process rounds (" + no_cgroup + ")";
  Supervisor sup(telemetry.pointers(), reporter, cgroup.get());
  PayloadEnd end = sup.run([&](int launch_fd) {
    payload_child(options, p, identity, supervisor, telemetry.audit, cgroup.get(), record, sink, launch_fd);
  });
  // The sources hand back what they hold of the machine's state (audit's registration and
  // settings) now: ending like the payload may raise a signal, which runs no destructor.
  telemetry.sources.clear();
  if (!end.launched) return end.exit_code;  // the child said why, and wrote the refused line

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
