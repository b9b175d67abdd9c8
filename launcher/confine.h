// Stage: launcher. The steps that confine the process that becomes the payload, in order: proxy
// environment, the payload's user, no_new_privs, Landlock, the supervisor's signal guard, the
// descriptors closed on exec, seccomp. The supervised child and --exec-in-place run the same
// steps; only the telemetry switches differ.
#pragma once

#include <optional>
#include <sys/types.h>

#include "launcher/audit.h"
#include "launcher/exec_preflight.h"
#include "launcher/identity.h"
#include "launcher/options.h"
#include "launcher/prepare.h"

namespace polc::launcher {

struct ConfineSettings {
  // Have Landlock (ABI 7 logging flags) and seccomp (SECCOMP_FILTER_FLAG_LOG) report every
  // refusal of the payload to audit.
  bool log_refusals = false;
  // The supervisor's pid: the payload dies with it (PR_SET_PDEATHSIG, set again after the user
  // change, which clears it), and a Landlock signal scope keeps the payload from signalling it.
  std::optional<pid_t> supervisor;
  // The supervisor reads the audit channel: the payload gets an audit session of its own (the key
  // its records are taken by), and loses the capabilities that would let it change that session or
  // turn audit off (CAP_AUDIT_CONTROL, CAP_AUDIT_WRITE, CAP_AUDIT_READ).
  bool audit_session = false;
  // The payload's process is in a user namespace of its own, where it holds every capability
  // (which it needed to mount): without --user they are all dropped as --user drops them, so the
  // payload cannot undo its mounts; the caller never had them.
  bool clear_namespace_capabilities = false;
};

// Throws Failure; the record says what was applied so far. Returns the exec preflight made just
// before Landlock was enforced (exec_preflight.h), for the message should the exec fail.
ExecPreflight confine(const Options& options, const Prepared& p, const std::optional<Identity>& identity,
                      const ConfineSettings& settings, AuditRecord& record);

}  // namespace polc::launcher
