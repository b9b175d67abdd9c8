// Stage: launcher. Emptying and locking the capability sets for --user (see capabilities.h).
#include "launcher/capabilities.h"

#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "launcher/errors.h"

namespace polc::launcher {

namespace {

[[noreturn]] void cap_failed(const std::string& what) {
  throw Failure(ExitCode::ApplyFailed, "--user: " + what + ": " + errno_text(errno));
}

// The highest capability this kernel knows: PR_CAPBSET_READ answers EINVAL past it. Asked of the
// kernel rather than taken from the headers, so a newer kernel's capabilities are dropped too.
int last_cap() {
  int cap = 0;
  while (cap < 64 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) ++cap;
  return cap;
}

struct Sets {
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
};

Sets capget_self() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  Sets sets;
  if (syscall(SYS_capget, &header, sets.data) != 0) cap_failed("capget");
  return sets;
}

uint64_t halves(uint32_t low, uint32_t high) { return uint64_t{low} | (uint64_t{high} << 32); }

}  // namespace

uint32_t locked_securebits() {
  return SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
         SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
}

void lock_capabilities_before_user_change() {
  // Both need CAP_SETPCAP, which the uid change below may take away: first. NO_SETUID_FIXUP means
  // the uid change itself clears nothing; clear_capabilities_after_user_change does it instead,
  // for root and non-root alike.
  if (prctl(PR_SET_SECUREBITS, locked_securebits(), 0, 0, 0) != 0)
    cap_failed("cannot lock the securebits (needs CAP_SETPCAP)");
  const int last = last_cap();
  for (int cap = 0; cap <= last; ++cap)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
      cap_failed("cannot drop capability " + std::to_string(cap) + " from the bounding set (needs CAP_SETPCAP)");
}

void clear_capabilities_after_user_change() {
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) cap_failed("cannot clear the ambient set");
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3]{};
  if (syscall(SYS_capset, &header, none) != 0) cap_failed("cannot clear the capability sets");
  const CapabilityState now = read_capabilities();
  if (now.effective != 0 || now.permitted != 0 || now.inheritable != 0 || now.ambient != 0 || now.bounding != 0)
    throw Failure(ExitCode::ApplyFailed, "--user: capabilities remain after clearing them");
  if ((now.securebits & locked_securebits()) != locked_securebits())
    throw Failure(ExitCode::ApplyFailed, "--user: the securebits did not lock");
}

void drop_audit_capabilities() {
  constexpr int kAudit[] = {CAP_AUDIT_WRITE, CAP_AUDIT_CONTROL, CAP_AUDIT_READ};
  for (int cap : kAudit) {
    // Without CAP_SETPCAP (an unprivileged caller) the bounding set stays; such a caller has none
    // of these to lose, which the check below confirms.
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM && errno != EINVAL)
      cap_failed("cannot drop capability " + std::to_string(cap) + " from the bounding set");
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, cap, 0, 0);
  }
  Sets sets = capget_self();
  for (int cap : kAudit) {
    const uint32_t bit = 1U << (cap % 32);
    __user_cap_data_struct& d = sets.data[cap / 32];
    d.effective &= ~bit;
    d.permitted &= ~bit;
    d.inheritable &= ~bit;
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  if (syscall(SYS_capset, &header, sets.data) != 0) cap_failed("cannot drop the audit capabilities");
  const CapabilityState now = read_capabilities();
  for (int cap : kAudit)
    if (((now.effective | now.permitted) >> cap) & 1)
      throw Failure(ExitCode::ApplyFailed, "capability " + std::to_string(cap) + " (audit) remains after dropping it");
}

CapabilityState read_capabilities() {
  CapabilityState state;
  Sets sets = capget_self();
  state.effective = halves(sets.data[0].effective, sets.data[1].effective);
  state.permitted = halves(sets.data[0].permitted, sets.data[1].permitted);
  state.inheritable = halves(sets.data[0].inheritable, sets.data[1].inheritable);
  const int last = last_cap();
  for (int cap = 0; cap <= last; ++cap) {
    int in_bounding = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    int in_ambient = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
    // An error reading a set counts as "present": this feeds a check that must fail closed.
    if (in_bounding != 0) state.bounding |= uint64_t{1} << cap;
    if (in_ambient != 0) state.ambient |= uint64_t{1} << cap;
  }
  int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
  state.securebits = bits < 0 ? 0 : static_cast<uint32_t>(bits);
  return state;
}

std::string cap_hex(uint64_t set) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(set));
  return text;
}

}  // namespace polc::launcher
