// Stage: launcher telemetry. A fresh audit session for the payload (audit_session.h).
#include "launcher/telemetry/audit_session.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "compiler/posix/unique_fd.h"

namespace polc::telemetry {

namespace {

constexpr uint64_t kUnset = 4294967295u;  // AUDIT_UID_UNSET, AUDIT_SID_UNSET

// The number in a /proc/self file of one decimal number; nullopt when unreadable.
std::optional<uint64_t> read_number(const char* path) {
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  char text[32] = {};
  const ssize_t got = ::read(fd.get(), text, sizeof text - 1);
  if (got <= 0) return std::nullopt;
  uint64_t value = 0;
  bool digits = false;
  for (ssize_t i = 0; i < got && text[i] >= '0' && text[i] <= '9'; ++i) {
    value = value * 10 + static_cast<uint64_t>(text[i] - '0');
    digits = true;
  }
  if (!digits) return std::nullopt;
  return value;
}

NewAuditSession failure(const char* what, int error) {
  NewAuditSession result;
  result.reason = std::string(what) + ": " + std::strerror(error);
  return result;
}

}  // namespace

NewAuditSession start_new_audit_session() {
  const auto current = read_number("/proc/self/loginuid");
  if (!current) return failure("cannot read /proc/self/loginuid (audit compiled out?)", errno ? errno : ENOENT);
  const uint64_t uid = *current != kUnset ? *current : static_cast<uint64_t>(::getuid());
  char text[32];
  const int length = std::snprintf(text, sizeof text, "%llu", static_cast<unsigned long long>(uid));
  UniqueFd fd(::open("/proc/self/loginuid", O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return failure("cannot open /proc/self/loginuid", errno);
  if (::write(fd.get(), text, static_cast<size_t>(length)) != length)
    return failure("the kernel refused a new audit session (writing /proc/self/loginuid)", errno);
  const auto session = read_number("/proc/self/sessionid");
  if (!session || *session >= kUnset) {
    NewAuditSession result;
    result.reason = "no audit session after writing /proc/self/loginuid";
    return result;
  }
  NewAuditSession result;
  result.session = static_cast<uint32_t>(*session);
  return result;
}

}  // namespace polc::telemetry
