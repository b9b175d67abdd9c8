// Stage: launcher telemetry. The users of audit's global settings (audit_users.h).
#include "launcher/telemetry/audit_users.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace polc::telemetry {

namespace {

bool write_settings(int fd, const AuditSettings& s) {
  char text[64];
  const int n = std::snprintf(text, sizeof text, "%u %u\n", s.enabled, s.backlog_limit);
  return ftruncate(fd, 0) == 0 && pwrite(fd, text, static_cast<size_t>(n), 0) == n;
}

std::optional<AuditSettings> read_settings(int fd) {
  char text[64] = {};
  const ssize_t n = pread(fd, text, sizeof text - 1, 0);
  AuditSettings s;
  if (n <= 0 || std::sscanf(text, "%u %u", &s.enabled, &s.backlog_limit) != 2) return std::nullopt;
  return s;
}

}  // namespace

std::optional<AuditSettings> AuditUsers::join(const AuditSettings& now, const std::string& path) {
  // Not through a link, root's own file only: the settings it holds are written back to the kernel.
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600));
  struct stat st {};
  if (!fd.valid() || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) return std::nullopt;
  std::optional<AuditSettings> recorded;
  if (flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
    // Alone: what audit is set to now is what it was before any user.
    if (!write_settings(fd.get(), now)) return std::nullopt;
    recorded = now;
    if (flock(fd.get(), LOCK_SH) != 0) return std::nullopt;  // converts the exclusive lock
  } else {
    // Never wait long on it: a process holding it exclusively (nothing of polc does for more than
    // a write) would otherwise stall every launch. Without it, this user restores what it saw.
    bool shared = false;
    for (int attempt = 0; attempt < 50 && !shared; ++attempt) {
      shared = flock(fd.get(), LOCK_SH | LOCK_NB) == 0;
      if (!shared) usleep(2000);
    }
    if (!shared) return std::nullopt;
    recorded = read_settings(fd.get());
    if (!recorded) return std::nullopt;
  }
  fd_ = std::move(fd);
  return recorded;
}

bool AuditUsers::leave_last() {
  if (!fd_.valid()) return true;
  const bool last = flock(fd_.get(), LOCK_EX | LOCK_NB) == 0;
  fd_.reset();  // closing releases the lock
  return last;
}

}  // namespace polc::telemetry
