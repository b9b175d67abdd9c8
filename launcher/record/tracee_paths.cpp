// Stage: launcher (learning). Path resolution for recorded file accesses (tracee_paths.h).
#include "launcher/record/tracee_paths.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "launcher/record/thread_group.h"

namespace polc::record {

namespace {

// Past this many components a path is only normalized: a hostile path of thousands of missing
// components would otherwise cost thousands of lstat calls.
constexpr size_t kMaxResolvedComponents = 256;
// Symbolic links followed in one resolution, as the kernel does (MAXSYMLINKS): past them it
// fails the call with ELOOP.
constexpr int kMaxSymlinks = 40;
// Components walked in all, links' included: a bound on the work of one resolution.
constexpr size_t kMaxSteps = kMaxResolvedComponents + kMaxSymlinks * 64;

struct Resolution {
  enum class Status { Path, NotPath, Unknown } status;
  std::string path;
};

std::optional<std::string> read_link(const std::string& path) {
  char buffer[PATH_MAX];
  const ssize_t n = readlink(path.c_str(), buffer, sizeof buffer);
  if (n <= 0 || n >= static_cast<ssize_t>(sizeof buffer)) return std::nullopt;
  return std::string(buffer, static_cast<size_t>(n));
}

std::vector<std::string> components(const std::string& absolute) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= absolute.size()) {
    size_t end = absolute.find('/', start);
    if (end == std::string::npos) end = absolute.size();
    if (end > start) out.push_back(absolute.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, size_t from, size_t to, std::string base = "") {
  for (size_t i = from; i < to; ++i) {
    if (base != "/") base += '/';
    base += parts[i];
  }
  return base.empty() ? "/" : base;
}

bool starts_with_dir(const std::string& path, std::string_view dir) {
  return path.compare(0, dir.size(), dir) == 0 && (path.size() == dir.size() || path[dir.size()] == '/');
}

// Whether `path` is inside a process's /proc directory (/proc/PID/...): its symbolic links are
// magic links (fd/N, cwd, root, exe, ns/..., map_files/...) whose relative targets ("pipe:[7]",
// "socket:[9]", "anon_inode:[eventfd]", "net:[4026531840]") name no path.
bool in_process_directory(const std::string& path) {
  if (path.compare(0, 6, "/proc/") != 0) return false;
  size_t i = 6;
  while (i < path.size() && path[i] >= '0' && path[i] <= '9') ++i;
  return i > 6 && i < path.size() && path[i] == '/';
}

// Pushes the components of `path` so that the first is popped first.
void push_components(const std::string& path, std::vector<std::string>& pending) {
  std::vector<std::string> parts = components(path);
  pending.insert(pending.end(), parts.rbegin(), parts.rend());
}

std::string joined(std::string base, std::vector<std::string> pending) {
  while (!pending.empty()) {
    if (base != "/") base += '/';
    base += pending.back();
    pending.pop_back();
  }
  return base;
}

// Component-by-component resolution as the kernel walks the path for caller `tid`: /proc/self
// and /proc/thread-self name the caller (not this process), wherever they come up (in the path or
// in a link's target); magic links are read in the caller's /proc.
Resolution resolve_for_caller(pid_t tid, const std::string& absolute, bool follow_last) {
  std::vector<std::string> pending;
  push_components(absolute, pending);
  std::string done = "/";
  int links = 0;
  pid_t tgid = 0;
  for (size_t steps = 0; !pending.empty(); ++steps) {
    if (steps > kMaxSteps) return {Resolution::Status::Path, lexically_normal(joined(done, pending))};
    const std::string name = pending.back();
    pending.pop_back();
    const bool last = pending.empty();
    if (name == ".") continue;
    if (name == "..") {
      done = parent_of(done);
      continue;
    }
    const std::string candidate = done == "/" ? "/" + name : done + "/" + name;
    const bool follow = !last || follow_last;
    if (follow && (candidate == "/proc/self" || candidate == "/proc/thread-self")) {
      if (tgid == 0) tgid = thread_group_of(tid);
      if (tgid <= 0) return {Resolution::Status::Unknown, {}};
      done = "/proc/" + std::to_string(tgid);
      if (candidate == "/proc/thread-self") done += "/task/" + std::to_string(tid);
      continue;
    }
    struct stat st{};
    if (lstat(candidate.c_str(), &st) != 0) {
      // Missing: the rest is appended as named. Hidden inside a process's /proc (no access to
      // the caller's entries): unknown.
      if (errno != ENOENT && errno != ENOTDIR && starts_with_dir(candidate, "/proc"))
        return {Resolution::Status::Unknown, {}};
      return {Resolution::Status::Path, lexically_normal(joined(candidate, pending))};
    }
    if (!S_ISLNK(st.st_mode) || !follow) {
      done = candidate;
      continue;
    }
    // The kernel fails the call with ELOOP past this: the path as far as it came is kept.
    if (++links > kMaxSymlinks) return {Resolution::Status::Path, lexically_normal(joined(candidate, pending))};
    const auto target = read_link(candidate);
    if (!target || target->empty()) return {Resolution::Status::Unknown, {}};
    if ((*target)[0] == '/') {
      done = "/";
    } else if (in_process_directory(candidate)) {
      return {Resolution::Status::NotPath, {}};  // a pipe, a socket, an anonymous inode, ...
    }
    push_components(*target, pending);
  }
  return {Resolution::Status::Path, done};
}

}  // namespace

std::string lexically_normal(const std::string& absolute) {
  std::vector<std::string> out;
  for (std::string& part : components(absolute)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(std::move(part));
  }
  return join(out, 0, out.size());
}

std::string parent_of(const std::string& normal) {
  const size_t slash = normal.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : normal.substr(0, slash);
}

std::optional<std::string> descriptor_path(pid_t pid, int fd, bool* unknown) {
  auto target = read_link("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd));
  // ENOENT: the descriptor is not open (the call fails with EBADF); anything else hides it.
  if (!target && unknown && errno != ENOENT) *unknown = true;
  if (!target || target->empty() || (*target)[0] != '/') return std::nullopt;
  return target;
}

std::optional<std::string> resolve_path(pid_t pid, int dirfd, const std::string& path, bool follow_last,
                                        bool* not_path) {
  std::string absolute;
  if (!path.empty() && path[0] == '/') {
    absolute = path;
  } else {
    bool unknown = dirfd == kAtFdcwd;
    const auto base = dirfd == kAtFdcwd ? read_link("/proc/" + std::to_string(pid) + "/cwd")
                                        : descriptor_path(pid, dirfd, &unknown);
    if (!base || base->empty() || (*base)[0] != '/') {
      // A dirfd that is not open or names no directory (a pipe, a socket): the kernel fails the
      // call (EBADF, ENOTDIR), there is no path to it.
      if (not_path && !unknown) *not_path = true;
      return std::nullopt;
    }
    absolute = path.empty() ? *base : *base + "/" + path;
  }
  if (components(absolute).size() > kMaxResolvedComponents) return lexically_normal(absolute);
  Resolution r = resolve_for_caller(pid, absolute, follow_last);
  if (r.status == Resolution::Status::Path) return std::move(r.path);
  if (not_path && r.status == Resolution::Status::NotPath) *not_path = true;
  return std::nullopt;
}

learn::FileAccess::Kind kind_of(const std::string& path, bool follow) {
  struct stat st{};
  if ((follow ? stat(path.c_str(), &st) : lstat(path.c_str(), &st)) != 0)
    return errno == ENOENT || errno == ENOTDIR ? learn::FileAccess::Kind::Missing : learn::FileAccess::Kind::Other;
  if (S_ISREG(st.st_mode)) return learn::FileAccess::Kind::File;
  if (S_ISDIR(st.st_mode)) return learn::FileAccess::Kind::Directory;
  return learn::FileAccess::Kind::Other;
}

}  // namespace polc::record
