// Stage: launcher. The payload's capabilities under --user: none, whatever the uid.
//
// Changing uids clears capabilities only when leaving uid 0, and even then leaves the bounding
// set (and, for root, the kernel hands every capability back on the next execve). So --user root
// kept them all. uid 0 is now refused (identity.h), and for any --user the launcher empties every set (effective,
// permitted, inheritable, ambient, bounding) and locks the securebits that would let them return (NOROOT: execve as
// root grants nothing; NO_SETUID_FIXUP, KEEP_CAPS off, NO_CAP_AMBIENT_RAISE, each locked), through capset(2) and
// prctl(2) directly.
#pragma once

#include <cstdint>
#include <string>

namespace polc::launcher {

// The securebits set for --user, all locked.
uint32_t locked_securebits();

// Before the uid changes, while CAP_SETPCAP is still effective: locks the securebits and empties
// the bounding set. Throws Failure(ApplyFailed) (e.g. without CAP_SETPCAP).
void lock_capabilities_before_user_change();

// After the uid change: empties the effective, permitted, inheritable and ambient sets, then
// checks that every set is empty and the securebits are locked. Throws Failure(ApplyFailed).
void clear_capabilities_after_user_change();

// For a supervised payload whose refusals are read from audit: removes CAP_AUDIT_WRITE,
// CAP_AUDIT_CONTROL and CAP_AUDIT_READ from every set (the bounding set where CAP_SETPCAP allows),
// so that the payload can neither leave its audit session nor turn audit off or read it. Throws
// Failure(ApplyFailed) when one is still effective or permitted afterwards.
void drop_audit_capabilities();

// The process's capability sets as /proc/self/status shows them, for the audit line.
struct CapabilityState {
  uint64_t effective = 0, permitted = 0, inheritable = 0, ambient = 0, bounding = 0;
  uint32_t securebits = 0;
};
CapabilityState read_capabilities();

// 16 hex digits, as /proc/self/status writes capability sets.
std::string cap_hex(uint64_t set);

}  // namespace polc::launcher
