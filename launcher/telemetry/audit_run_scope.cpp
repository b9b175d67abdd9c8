// Stage: launcher telemetry. Which audit events are the run's (audit_run_scope.h).
#include "launcher/telemetry/audit_run_scope.h"

namespace polc::telemetry {

namespace {
// Other sandboxed programs on the machine allocate domains too; remembering them is an
// optimisation (the session check would reject their events anyway), so the set is bounded.
constexpr size_t kMaxForeignDomains = 4096;
}  // namespace

void RunScope::learn(const LandlockDomainNotice& notice) {
  if (!notice.allocated || notice.domain.empty()) return;
  if (notice.pid == child_pid_ && (launcher_exe_.empty() || notice.exe == launcher_exe_)) {
    ours_.insert(notice.domain);
    foreign_.erase(notice.domain);
  } else if (!ours_.count(notice.domain)) {
    if (foreign_.size() >= kMaxForeignDomains) foreign_.clear();
    foreign_.insert(notice.domain);
  }
}

bool RunScope::same_process_tree(const AssembledEvent& event) const {
  if (session_) return event.session == session_;
  return event.event.process.pid == child_pid_;
}

bool RunScope::admit(const AssembledEvent& event) {
  if (event.domain) learn(*event.domain);
  if (event.kind == AssembledEvent::Kind::Domain)
    return event.landlock_domain && ours_.count(*event.landlock_domain) > 0;
  if (event.event.layer == Layer::Landlock && event.landlock_domain) {
    if (ours_.count(*event.landlock_domain)) return true;
    if (foreign_.count(*event.landlock_domain)) return false;
  }
  // A seccomp refusal, or a Landlock refusal of a domain whose allocation notice was lost.
  return same_process_tree(event);
}

}  // namespace polc::telemetry
