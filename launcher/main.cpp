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
#include "launcher/terminal.h"
#include "launcher/trust_check.h"

namespace polc::launcher {
namespace {

void print_error(const std::string& message) {
  std::string line = "sbx-exec: error: " + message + "\n";
  ssize_t ignored = ::write(2, line.data(), line.size());
  (void)ignored;
}

// Applies the bundle and execs. Returns only by throwing, or with the exit status of a failed
// exec (126/127) after the audit line was written.
int launch(const Options& options, AuditRecord& record, const AuditSink& sink) {
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
  // No controlling terminal for the payload: it could push input into the caller's (terminal.h).
  detach_controlling_terminal();
  setup_network(*options.network, options.netns_name, p.nftables.bytes);
  if (*options.network != NetworkMode::EnforcedExternally) record.layers.push_back("nftables");

  apply_environment(p.env);
  record.env = p.env;
  if (!p.env.empty()) record.layers.push_back("proxy_env");

  if (identity) {
    drop_to(*identity);
    record.layers.push_back("user");
  }
  record.uid = getuid();
  record.gid = getgid();
  record.capabilities = read_capabilities();
  record.capabilities_mode = identity ? "cleared" : "caller";

  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    throw Failure(ExitCode::ApplyFailed, "prctl(PR_SET_NO_NEW_PRIVS) failed: " + errno_text(errno));
  record.layers.push_back("no_new_privs");

  LandlockOutcome outcome = apply_landlock(p.landlock, p.plan);
  record.skipped_paths = outcome.skipped_paths;
  if (p.plan.fs) record.layers.push_back("landlock.fs");
  if (p.plan.net) record.layers.push_back("landlock.net");
  if (p.plan.scope) record.layers.push_back("landlock.scope");

  // Again, for anything opened since (the filter may refuse close_range, so before it).
  close_on_exec_all_but(options.keep_fds);
  apply_seccomp(p.seccomp);
  record.layers.push_back("seccomp");

  record.result = "exec";
  if (!sink.write(audit_line(record)))
    throw Failure(ExitCode::AuditFailed, "cannot write the audit line: " + errno_text(errno));

  std::vector<char*> argv;
  for (const std::string& word : options.command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  int err = errno;
  // The audit line already says the launch reached exec; the failure is the command's, reported
  // as a shell would.
  print_error("cannot execute " + options.command[0] + ": " + errno_text(err));
  return static_cast<int>(err == ENOENT || err == ENOTDIR ? ExitCode::NotFound : ExitCode::CannotExecute);
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
  try {
    // Before the launcher opens anything: a kept number must be the caller's descriptor.
    check_kept_descriptors(options.keep_fds);
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

  ExitCode code;
  std::string reason;
  try {
    return launch(options, record, *sink);
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
