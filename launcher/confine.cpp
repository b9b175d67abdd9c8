// Stage: launcher. Confining the payload's process (confine.h).
#include "launcher/confine.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "launcher/capabilities.h"
#include "launcher/descriptors.h"
#include "launcher/errors.h"
#include "launcher/landlock_apply.h"
#include "launcher/landlock_uapi.h"
#include "launcher/os_layer.h"
#include "launcher/proxy_env.h"
#include "launcher/seccomp_apply.h"
#include "launcher/telemetry/audit_session.h"

namespace polc::launcher {

namespace {

// The payload must not outlive its supervisor: killed when it dies. If it died already (between
// fork and here), the child was reparented and must not go on.
void die_with(pid_t supervisor) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    throw Failure(ExitCode::ApplyFailed, "prctl(PR_SET_PDEATHSIG) failed: " + errno_text(errno));
  if (getppid() != supervisor) _exit(static_cast<int>(ExitCode::ApplyFailed));
}

}  // namespace

ExecPreflight confine(const Options& options, const Prepared& p, const std::optional<Identity>& identity,
                      const ConfineSettings& settings, AuditRecord& record) {
  if (settings.supervisor) die_with(*settings.supervisor);
  if (settings.audit_session) {
    // Before the user change: writing loginuid over a set one takes CAP_AUDIT_CONTROL.
    const telemetry::NewAuditSession session = telemetry::start_new_audit_session();
    if (session.session) record.audit_session = *session.session;
    else record.telemetry_unavailable.push_back("audit session: " + session.reason);
    drop_audit_capabilities();
  }
  apply_environment(p.env);
  record.env = p.env;
  if (!p.env.empty()) record.layers.push_back("proxy_env");

  if (identity) {
    drop_to(*identity);
    record.layers.push_back("user");
    if (settings.supervisor) die_with(*settings.supervisor);  // the uid change cleared it
  }
  const bool cleared = identity || settings.clear_namespace_capabilities;
  if (!identity && settings.clear_namespace_capabilities) {
    lock_capabilities_before_user_change();
    clear_capabilities_after_user_change();
    if (settings.supervisor) die_with(*settings.supervisor);
  }
  record.uid = getuid();
  record.gid = getgid();
  record.capabilities = read_capabilities();
  record.capabilities_mode = cleared ? "cleared" : "caller";

  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    throw Failure(ExitCode::ApplyFailed, "prctl(PR_SET_NO_NEW_PRIVS) failed: " + errno_text(errno));
  record.layers.push_back("no_new_privs");

  const bool landlock_logs = settings.log_refusals && p.kernel_abi >= uapi::kLogFlagsAbi;
  const uint32_t restrict_flags =
      landlock_logs ? uapi::kRestrictSelfLogSameExecOff | uapi::kRestrictSelfLogNewExecOn : 0;
  // The last moment the files the exec will open can be read: as the payload's user, in its mount
  // namespace, with the PATH it gets, and not yet confined.
  ExecPreflight preflight = preflight_exec(options.command, getenv("PATH"),
                                           p.plan.fs && p.landlock.fs ? &*p.landlock.fs : nullptr, p.attribution);
  LandlockOutcome outcome = apply_landlock(p.landlock, p.plan, restrict_flags, options.strict_paths, p.attribution);
  record.skipped_paths = outcome.skipped_paths;
  // Said where the caller looks, not only in the audit line: a rule that grants nothing is the
  // usual reason a payload is refused a file the policy names.
  if (!options.quiet_skipped_paths)
    for (const SkippedRule& skipped : outcome.skipped) {
      const std::string line =
          "sbx-exec: warning: path rule skipped: " + skipped_rule_text(skipped, p.attribution) + "\n";
      ssize_t ignored = ::write(2, line.data(), line.size());
      (void)ignored;
    }
  if (p.plan.fs) record.layers.push_back("landlock.fs");
  if (p.plan.net) record.layers.push_back("landlock.net");
  if (p.plan.scope) record.layers.push_back("landlock.scope");
  // The policy's own signal scope already keeps the supervisor out of reach; otherwise a domain of
  // the launcher's own does (its refusals are reported as the launcher's, not the policy's).
  const bool policy_scopes_signals =
      p.plan.scope && p.landlock.scope && (p.landlock.scope->scoped & uapi::kScopeSignal);
  if (settings.supervisor && !policy_scopes_signals && apply_signal_guard(p.kernel_abi, restrict_flags, p.plan.fs))
    record.layers.push_back("supervisor_guard");

  // The rlimits last before seccomp (which may refuse setrlimit), after every step that opens
  // descriptors of its own (a small open_files must not starve Landlock's).
  if (p.os) {
    apply_rlimits(p.os->spec.limits);
    record.layers.push_back("rlimits");
  }
  // Again, for anything opened since (the filter may refuse close_range, so before it).
  close_on_exec_all_but(options.keep_fds);
  apply_seccomp(p.seccomp, settings.log_refusals);
  record.layers.push_back("seccomp");
  return preflight;
}

}  // namespace polc::launcher
