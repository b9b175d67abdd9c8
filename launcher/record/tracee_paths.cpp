// Stage: launcher (learning). Path resolution for recorded file accesses (tracee_paths.h).
#include "launcher/record/tracee_paths.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

namespace polc::record {

namespace {

// Past this many components a path is only normalized: a hostile path of thousands of missing
// components would otherwise cost thousands of realpath calls.
constexpr size_t kMaxResolvedComponents = 256;

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

// Paths whose symbolic links point into the calling process (see tracee_paths.h).
bool per_process(const std::string& normal) {
  return starts_with_dir(normal, "/proc") || starts_with_dir(normal, "/dev/fd") || normal == "/dev/stdin" ||
         normal == "/dev/stdout" || normal == "/dev/stderr";
}

std::optional<std::string> real_path(const std::string& path) {
  char buffer[PATH_MAX];
  if (!realpath(path.c_str(), buffer)) return std::nullopt;
  return std::string(buffer);
}

// The realpath of the longest existing prefix of `parts`, the rest appended and normalized.
std::string resolve_existing(const std::vector<std::string>& parts) {
  for (size_t k = parts.size();; --k) {
    if (auto real = real_path(join(parts, 0, k))) return lexically_normal(join(parts, k, parts.size(), *real));
    if (k == 0) break;
  }
  return lexically_normal(join(parts, 0, parts.size()));
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

std::optional<std::string> resolve_path(pid_t pid, int dirfd, const std::string& path, bool follow_last) {
  std::string absolute;
  if (!path.empty() && path[0] == '/') {
    absolute = path;
  } else {
    const auto base = dirfd == kAtFdcwd ? read_link("/proc/" + std::to_string(pid) + "/cwd") : descriptor_path(pid, dirfd);
    if (!base || base->empty() || (*base)[0] != '/') return std::nullopt;
    absolute = path.empty() ? *base : *base + "/" + path;
  }
  const std::string normal = lexically_normal(absolute);
  if (per_process(normal)) return normal;
  std::vector<std::string> parts = components(absolute);
  if (parts.size() > kMaxResolvedComponents) return normal;
  // The entry itself is not followed: resolve its directory, keep its name. A final "." or ".."
  // names a directory the kernel refuses to create or remove: only normalized.
  if (!follow_last && !parts.empty() && parts.back() != "." && parts.back() != "..") {
    const std::string last = parts.back();
    parts.pop_back();
    const std::string dir = resolve_existing(parts);
    return dir == "/" ? "/" + last : dir + "/" + last;
  }
  return resolve_existing(parts);
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
