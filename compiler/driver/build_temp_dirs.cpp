// Stage: driver. Locked build temporary directories and the removal of left-over ones (see
// build_temp_dirs.h).
#include "compiler/driver/build_temp_dirs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace polc::driver {

namespace {

constexpr size_t kRandomChars = 6;  // `.NAME.tmp-XXXXXX`, as mkdtemp names them
constexpr int kMaxAttempts = 32;

bool same_inode(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// True if `entry` in `parent_fd` is still the directory open as `fd` (not renamed, removed or
// replaced since it was opened).
bool still_named(int parent_fd, const std::string& entry, int fd) {
  struct stat named {
  }, held{};
  return fstatat(parent_fd, entry.c_str(), &named, AT_SYMLINK_NOFOLLOW) == 0 && fstat(fd, &held) == 0 &&
         same_inode(named, held);
}

}  // namespace

bool is_build_temp_name(const std::string& entry, const std::string& name) {
  const std::string prefix = "." + name + ".tmp-";
  if (entry.size() != prefix.size() + kRandomChars || entry.compare(0, prefix.size(), prefix) != 0) return false;
  for (size_t i = prefix.size(); i < entry.size(); ++i) {
    const char c = entry[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

int remove_stale_build_dirs(int parent_fd, const std::string& name) {
  std::vector<std::string> candidates;
  {
    const int copy = fcntl(parent_fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) return 0;
    DIR* stream = fdopendir(copy);
    if (!stream) {
      close(copy);
      return 0;
    }
    // The duplicate shares the directory's read position with the caller's descriptor: start over.
    rewinddir(stream);
    while (const dirent* e = readdir(stream))
      if (is_build_temp_name(e->d_name, name)) candidates.emplace_back(e->d_name);
    closedir(stream);
  }
  int removed = 0;
  for (const std::string& entry : candidates) {
    // O_NOFOLLOW|O_DIRECTORY: a link or a file of that name is not ours to remove.
    const UniqueFd dir(openat(parent_fd, entry.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.valid()) continue;
    struct stat st {};
    if (fstat(dir.get(), &st) != 0 || st.st_uid != geteuid()) continue;  // another user's build
    // A live build holds the lock; failing to take it (or a file system without flock) means hands off.
    if (flock(dir.get(), LOCK_EX | LOCK_NB) != 0) continue;
    // Locked: the build that made it is gone. Remove it only if the name still means this directory.
    if (!still_named(parent_fd, entry, dir.get())) continue;
    if (remove_contents(dir.get()) && unlinkat(parent_fd, entry.c_str(), AT_REMOVEDIR) == 0) ++removed;
  }  // the lock goes with the descriptor
  return removed;
}

std::optional<BuildTempDir> create_build_temp_dir(int parent_fd, const std::string& name, std::string& error) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const std::string entry = "." + name + ".tmp-" + random_name_part(kRandomChars);
    if (mkdirat(parent_fd, entry.c_str(), 0700) != 0) {
      if (errno == EEXIST) continue;
      error = "cannot create a temporary directory: " + std::string(std::strerror(errno));
      return std::nullopt;
    }
    UniqueFd dir(openat(parent_fd, entry.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.valid()) continue;  // replaced between mkdirat and openat: draw another name
    // Blocking: a build cleaning up may hold the lock for a moment (it saw this directory before we
    // locked it and took it for a left-over). Without flock support the directory stays unlocked,
    // and no cleaner can lock it either, so it is never removed from under us.
    while (flock(dir.get(), LOCK_EX) != 0 && errno == EINTR) {}
    // If a cleaner removed it while we waited, start again with a new name.
    if (!still_named(parent_fd, entry, dir.get())) continue;
    if (fchmod(dir.get(), 0755) != 0) {
      error = "cannot set the mode of a temporary directory: " + std::string(std::strerror(errno));
      remove_tree_at(parent_fd, entry);
      return std::nullopt;
    }
    return BuildTempDir{std::move(dir), entry};
  }
  error = "cannot create a temporary directory: every name drawn was taken";
  return std::nullopt;
}

}  // namespace polc::driver
