// Stage: launcher. Descriptors above 2 closed on exec, but the kept ones (see descriptors.h).
#include "launcher/descriptors.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <string>

#include "launcher/errors.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace polc::launcher {

namespace {

[[noreturn]] void failed(const std::string& what, int err) {
  throw Failure(ExitCode::ApplyFailed, "descriptors: " + what + ": " + errno_text(err));
}

bool kept(const std::vector<int>& keep, int fd) { return std::find(keep.begin(), keep.end(), fd) != keep.end(); }

// The fallback for kernels before 5.11: every open descriptor, as /proc/self/fd lists it. Without
// /proc the launch is refused rather than guessed at.
void close_on_exec_listed(const std::vector<int>& keep) {
  DIR* dir = opendir("/proc/self/fd");  // glibc opens it O_CLOEXEC
  if (dir == nullptr)
    failed("close_range(CLOSE_RANGE_CLOEXEC) is unavailable and /proc/self/fd cannot be listed", errno);
  const int own = dirfd(dir);
  errno = 0;
  while (const dirent* entry = readdir(dir)) {
    int fd = -1;
    const char* name = entry->d_name;
    auto [end, ec] = std::from_chars(name, name + std::strlen(name), fd);
    if (ec != std::errc() || *end != '\0' || fd <= 2 || fd == own || kept(keep, fd)) continue;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 && errno != EBADF) {
      int err = errno;
      closedir(dir);
      failed("cannot mark descriptor " + std::to_string(fd) + " close-on-exec", err);
    }
    errno = 0;
  }
  int err = errno;
  closedir(dir);
  if (err != 0) failed("cannot list /proc/self/fd", err);
}

}  // namespace

void check_kept_descriptors(const std::vector<int>& keep) {
  for (int fd : keep)
    if (fcntl(fd, F_GETFD) < 0)
      throw Failure(ExitCode::Usage,
                    "--keep-fd " + std::to_string(fd) + ": not an open descriptor (see sbx-exec --help)");
}

void close_on_exec_all_but(const std::vector<int>& keep) {
  std::vector<int> sorted = keep;
  std::sort(sorted.begin(), sorted.end());
  // The ranges between the kept descriptors: [3, k1-1], [k1+1, k2-1], ..., [kn+1, ~0U].
  unsigned first = 3;
  auto mark = [&](unsigned low, unsigned high) {
    if (low > high) return true;
    if (syscall(SYS_close_range, low, high, CLOSE_RANGE_CLOEXEC) == 0) return true;
    // ENOSYS: no close_range (before 5.9); EINVAL: no CLOSE_RANGE_CLOEXEC (before 5.11).
    if (errno == ENOSYS || errno == EINVAL) return false;
    failed("close_range(" + std::to_string(low) + ", " + std::to_string(high) + ", CLOSE_RANGE_CLOEXEC)", errno);
  };
  for (int fd : sorted) {
    if (!mark(first, static_cast<unsigned>(fd) - 1)) return close_on_exec_listed(keep);
    first = static_cast<unsigned>(fd) + 1;
  }
  if (!mark(first, ~0U)) return close_on_exec_listed(keep);
}

}  // namespace polc::launcher
