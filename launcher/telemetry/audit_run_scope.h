// Stage: launcher telemetry. Which audit events are the run's. The audit channel hears the whole
// system; sbx-exec reports only what its payload was refused, and a payload must not be able to
// pass another process's refusals off as its own or hide its own among others'.
//
// Two marks, both set by the kernel and out of the payload's reach:
// - The audit session. The child writes /proc/self/loginuid before it confines itself and execs
//   (audit_session.h), which gives it a fresh session id that every descendant inherits and only
//   CAP_AUDIT_CONTROL can change. Seccomp records carry it (ses=), Landlock events in their
//   SYSCALL record.
// - The Landlock domain. The child's own landlock_restrict_self(2) creates it; its id is learned
//   from the allocation notice logged with the domain's first denial (pid= is the child's). A
//   Landlock denial names the youngest domain that denied it, which is decisive: a domain the
//   payload stacked on its own (another allocating pid) refused it, not the policy.
// Without a session (start_new_audit_session failed), events are matched by the child's pid only:
// descendants' refusals are then missed, which the supervisor must say.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "launcher/telemetry/audit_events.h"

namespace polc::telemetry {

class RunScope {
 public:
  // `session`: the child's new audit session; `child_pid`: the process that confines itself
  // (calls landlock_restrict_self), as the kernel numbers it (the initial pid namespace).
  // `launcher_exe`: the program that created the run's domains (sbx-exec's own path, which the child
  // still ran when it restricted itself, before exec). A domain the payload stacks on its own is
  // created by another program, even in the same process: its denials are not the policy's.
  // Empty: the pid alone decides.
  RunScope(std::optional<uint32_t> session, int64_t child_pid, std::string launcher_exe = {})
      : session_(session), child_pid_(child_pid), launcher_exe_(std::move(launcher_exe)) {}

  // Whether the event is the run's. Learns Landlock domains from the allocation notices it sees,
  // so events must be passed in the order the channel gives them.
  bool admit(const AssembledEvent& event);

  const std::set<std::string>& domains() const { return ours_; }

 private:
  void learn(const LandlockDomainNotice& notice);
  bool same_process_tree(const AssembledEvent& event) const;

  std::optional<uint32_t> session_;
  int64_t child_pid_;
  std::string launcher_exe_;
  std::set<std::string> ours_;     // domains the child allocated
  std::set<std::string> foreign_;  // domains some other process allocated
};

}  // namespace polc::telemetry
