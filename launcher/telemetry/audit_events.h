// Stage: launcher telemetry. The records of one audit event (one stamp) turned into what sbx-exec
// reports: a seccomp or Landlock refusal as a telemetry::Event, or a notice about a Landlock
// domain. Pure, like the parser: what cannot be read stays unset, nothing throws on bad input.
//
// What each kind of event is made of (kernel 6.15+):
// - seccomp: one AUDIT_SECCOMP record, alone (seccomp decides before the syscall's audit context
//   exists, so no SYSCALL record follows): pid, comm, exe, ses, arch, syscall, and the action
//   without its data (no errno value, no arguments).
// - Landlock: AUDIT_LANDLOCK_ACCESS (domain, blockers, and what was denied: path/name, dev, ino;
//   daddr/dest or saddr/src; opid/ocomm), on the domain's first logged denial an
//   AUDIT_LANDLOCK_DOMAIN "status=allocated", then the SYSCALL record (the process and a0-a3),
//   PROCTITLE and EOE.
// - A domain's end: AUDIT_LANDLOCK_DOMAIN "status=deallocated denials=N", alone, logged from a
//   kernel worker once the domain's last process is gone (so it has no session).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "launcher/telemetry/audit_records.h"
#include "launcher/telemetry/event.h"

namespace polc::telemetry {

// An AUDIT_LANDLOCK_DOMAIN record.
struct LandlockDomainNotice {
  std::string domain;      // the kernel's id, in hex as it writes it ("1f7bff08b")
  bool allocated = false;  // status=allocated; false: status=deallocated
  // allocated: the process that called landlock_restrict_self(2), as it was then
  std::optional<int64_t> pid;
  std::optional<std::string> exe;
  std::optional<std::string> comm;
  // deallocated: every denial the domain made, logged or not (denials before exec, lost records)
  std::optional<uint64_t> denials;
};

struct AssembledEvent {
  enum class Kind : uint8_t {
    Refusal,  // `event` is a seccomp or Landlock refusal
    Domain,   // `domain` is a notice alone: a domain's end (or an allocation whose access was lost)
  };
  Kind kind = Kind::Refusal;
  AuditStamp stamp;
  Event event;  // Refusal only
  // The audit session of the process that was refused (ses=): from the seccomp record, or the
  // SYSCALL record of a Landlock event. Unset when the record lacks it or it is unset (-1).
  std::optional<uint32_t> session;
  // Landlock refusal: the youngest domain that denied it.
  std::optional<std::string> landlock_domain;
  // Refusal: the allocation notice logged with the domain's first denial. Domain: the notice.
  std::optional<LandlockDomainNotice> domain;
  // Not every record the event should have arrived (completed by age or by the pending bound).
  bool incomplete = false;
};

// The polc target name of an AUDIT_ARCH_* value and syscall number: "x86_64", "x32" (x86_64's
// value, number with bit 0x40000000), "x86", "aarch64", "arm", "riscv64", "s390x"; "0x..." for
// any other.
std::string audit_arch_name(uint64_t audit_arch, int64_t nr);

// "errno", "kill_process", ... for the `code=` of an AUDIT_SECCOMP record (its action bits).
std::string seccomp_action_name(uint64_t code);

// The event the records of one stamp make, or nullopt when they hold no seccomp or Landlock
// record (the rest of the system's audit traffic).
std::optional<AssembledEvent> assemble_audit_event(std::span<const AuditRecord> records);

}  // namespace polc::telemetry
