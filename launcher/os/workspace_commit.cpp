// Stage: launcher (the OS layer). The upper layer applied to the workspace (see workspace_commit.h).
#include "launcher/os/workspace_commit.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <set>

#include "launcher/os/mount_api.h"
#include "launcher/os/os_errors.h"

namespace polc::launcher::os {

namespace {

constexpr uint64_t kStrict = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;

// The mode bits a committed file or FIFO keeps: never set-user-ID or set-group-ID. A payload that
// ran as root (or any user) could otherwise leave a set-ID program in the workspace for the
// host's users to run once the sandbox is gone. Directories keep theirs (set-group-ID on a
// directory only makes new entries inherit its group).
constexpr mode_t kCommittedFileMode = 07777 & ~(S_ISUID | S_ISGID);

// An entry that could not be committed: recorded, and the walk goes on with the next one.
struct EntryFailed {
  std::string message;
};

[[noreturn]] void entry_failed(const std::string& step, int err) { throw EntryFailed{step + ": " + errno_text(err)}; }

std::vector<std::string> names_in(int dir_fd) {
  std::vector<std::string> names;
  const int copy = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) entry_failed("cannot read the directory", errno);
  DIR* dir = fdopendir(copy);
  if (!dir) {
    const int err = errno;
    close(copy);
    entry_failed("cannot read the directory", err);
  }
  rewinddir(dir);
  errno = 0;
  while (const dirent* e = readdir(dir)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  const int err = errno;
  closedir(dir);
  if (err != 0) entry_failed("cannot read the directory", err);
  std::sort(names.begin(), names.end());
  return names;
}

std::string temporary_name() {
  unsigned char bytes[8];
  if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) entry_failed("getrandom", errno);
  static const char kHex[] = "0123456789abcdef";
  std::string name = ".polc-commit-";
  for (unsigned char b : bytes) {
    name += kHex[b >> 4];
    name += kHex[b & 15];
  }
  return name;
}

const char* type_name(mode_t mode) {
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  if (S_ISSOCK(mode)) return "socket";
  return "special file";
}

class Committer {
 public:
  Committer(const PreparedWorkspace& workspace, bool sync_files, CommitReport& report)
      : prefix_(workspace.user_xattr ? "user.overlay." : "trusted.overlay."), sync_(sync_files), report_(report) {}

  // Applies the upper directory `upper` to the lower directory `lower` (both open, O_RDONLY).
  void directory(int upper, int lower, const std::string& rel) {
    std::vector<std::string> names;
    try {
      names = names_in(upper);
    } catch (const EntryFailed& e) {
      report_.errors.push_back(shown(rel) + ": " + e.message);
      return;
    }
    for (const std::string& name : names) {
      const std::string path = rel.empty() ? name : rel + "/" + name;
      try {
        entry(upper, lower, name, path);
      } catch (const EntryFailed& e) {
        report_.errors.push_back(path + ": " + e.message);
      }
    }
  }

  // The mode, owner and times of the upper directory `upper` given to the lower one.
  void directory_attributes(int upper, int lower, bool created) {
    struct stat up {
    }, low{};
    if (fstat(upper, &up) != 0) entry_failed("cannot stat the upper directory", errno);
    if (fstat(lower, &low) != 0) entry_failed("cannot stat the directory", errno);
    if (!created &&
        ((up.st_mode & 07777) != (low.st_mode & 07777) || up.st_uid != low.st_uid || up.st_gid != low.st_gid))
      ++report_.modified;
    if (fchown(lower, up.st_uid, up.st_gid) != 0) entry_failed("cannot set the owner", errno);
    if (fchmod(lower, up.st_mode & 07777) != 0) entry_failed("cannot set the mode", errno);
    const timespec times[2] = {up.st_atim, up.st_mtim};
    if (futimens(lower, times) != 0) entry_failed("cannot set the times", errno);
  }

 private:
  static std::string shown(const std::string& rel) { return rel.empty() ? "." : rel; }

  bool has_xattr(int fd, const char* suffix, char want) {
    char value[4] = {};
    const ssize_t n = fgetxattr(fd, (prefix_ + suffix).c_str(), value, sizeof value);
    return n >= 0 && (want == 0 || (n == 1 && value[0] == want));
  }

  bool is_whiteout(int upper, const std::string& name, const struct stat& st) {
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) return true;
    if (!S_ISREG(st.st_mode) || st.st_size != 0) return false;
    UniqueFd fd(openat(upper, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    return fd.valid() && has_xattr(fd.get(), "whiteout", 0);
  }

  // Removes the lower entry `name` (recursively); true when there was one.
  bool remove_lower(int lower, const std::string& name) {
    struct stat st {};
    if (fstatat(lower, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return false;
      entry_failed("cannot stat", errno);
    }
    std::string failed;
    if (const int err = remove_tree_at(lower, name, failed); err != 0) entry_failed("cannot remove " + failed, err);
    return true;
  }

  void entry(int upper, int lower, const std::string& name, const std::string& path) {
    struct stat st {};
    if (fstatat(upper, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) entry_failed("cannot stat the upper entry", errno);
    if (is_whiteout(upper, name, st)) {
      if (remove_lower(lower, name)) ++report_.deleted;
      return;
    }
    if (S_ISDIR(st.st_mode)) return directory_entry(upper, lower, name, path);
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode) && !S_ISFIFO(st.st_mode)) {
      ++report_.skipped;
      report_.skipped_paths.push_back(path + " (" + type_name(st.st_mode) + ")");
      return;
    }
    struct stat low {};
    const bool existed = fstatat(lower, name.c_str(), &low, AT_SYMLINK_NOFOLLOW) == 0;
    if (!existed && errno != ENOENT) entry_failed("cannot stat", errno);

    std::string temp;
    try {
      if (S_ISREG(st.st_mode)) temp = stage_file(upper, lower, name, st);
      else if (S_ISLNK(st.st_mode)) temp = stage_link(upper, lower, name, st);
      else temp = stage_fifo(lower, st);
      // rename() replaces anything but a directory; a lower directory of that name was hidden by
      // the upper entry in the payload's view, so it goes.
      if (existed && S_ISDIR(low.st_mode)) remove_lower(lower, name);
      if (renameat(lower, temp.c_str(), lower, name.c_str()) != 0) entry_failed("cannot rename into place", errno);
    } catch (const EntryFailed&) {
      if (!temp.empty()) unlinkat(lower, temp.c_str(), 0);
      throw;
    }
    ++(existed ? report_.modified : report_.created);
  }

  void directory_entry(int upper, int lower, const std::string& name, const std::string& path) {
    struct stat low {};
    bool created = false;
    if (fstatat(lower, name.c_str(), &low, AT_SYMLINK_NOFOLLOW) == 0) {
      // A file or a symbolic link where the payload saw a directory: replaced, never followed.
      if (!S_ISDIR(low.st_mode)) {
        if (unlinkat(lower, name.c_str(), 0) != 0)
          entry_failed("cannot remove the entry the directory replaces", errno);
        created = true;
      }
    } else if (errno == ENOENT) {
      created = true;
    } else {
      entry_failed("cannot stat", errno);
    }
    if (created && mkdirat(lower, name.c_str(), 0700) != 0) entry_failed("cannot create the directory", errno);
    const long lower_fd = sys_openat2(lower, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0, kStrict);
    if (lower_fd < 0) entry_failed("cannot open the directory", errno);
    UniqueFd lower_dir(static_cast<int>(lower_fd));
    UniqueFd upper_dir(openat(upper, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!upper_dir.valid()) entry_failed("cannot open the upper directory", errno);
    if (created) ++report_.created;
    // Opaque: the payload removed the lower directory and made a new one; what the upper one does
    // not have was not in the payload's view.
    if (!created && has_xattr(upper_dir.get(), "opaque", 'y')) {
      const std::vector<std::string> upper_names = names_in(upper_dir.get());
      const std::set<std::string> keep(upper_names.begin(), upper_names.end());
      for (const std::string& old : names_in(lower_dir.get())) {
        if (keep.count(old)) continue;
        try {
          if (remove_lower(lower_dir.get(), old)) ++report_.deleted;
        } catch (const EntryFailed& e) {
          report_.errors.push_back(path + "/" + old + ": " + e.message);
        }
      }
    }
    directory(upper_dir.get(), lower_dir.get(), path);
    directory_attributes(upper_dir.get(), lower_dir.get(), created);
    // The renames into this directory, and the directory's own entry in its parent.
    if (sync_ && (fsync(lower_dir.get()) != 0 || fsync(lower) != 0)) entry_failed("cannot sync the directory", errno);
  }

  // Creates `temp` in `lower` exclusively; returns the descriptor (the name is in `temp`).
  UniqueFd create_temporary(int lower, std::string& temp) {
    for (int attempt = 0; attempt < 16; ++attempt) {
      std::string name = temporary_name();
      const long fd =
          sys_openat2(lower, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600, kStrict);
      if (fd >= 0) {
        temp = std::move(name);
        return UniqueFd(static_cast<int>(fd));
      }
      if (errno != EEXIST) entry_failed("cannot create a temporary file", errno);
    }
    entry_failed("cannot create a temporary file", EEXIST);
  }

  // Copies the data of `from` into `to`, and only the data: a hole stays a hole. A payload makes a
  // file of any length at no cost (one truncate); copied byte by byte, its holes would become that
  // many zeros written into the workspace's filesystem (filling it) by a supervisor busy for as
  // long. The length comes from ftruncate at the end.
  void copy_contents(int from, int to, off_t size) {
    off_t pos = 0;
    bool plain = false;  // copy_file_range refused: sendfile for the rest
    while (pos < size) {
      off_t data = lseek(from, pos, SEEK_DATA);
      if (data < 0 && errno == ENXIO) break;  // nothing but a hole from here on
      if (data < 0 && errno != EINVAL) entry_failed("cannot find the file's data", errno);
      off_t end = data < 0 ? size : lseek(from, data, SEEK_HOLE);  // EINVAL: no SEEK_DATA, all data
      if (data < 0) data = pos;
      if (end < 0) entry_failed("cannot find the file's holes", errno);
      if (data >= size) break;
      end = std::min(end, size);
      if (lseek(from, data, SEEK_SET) < 0 || lseek(to, data, SEEK_SET) < 0)
        entry_failed("cannot seek in the file", errno);
      off_t done = data;
      while (done < end) {
        const size_t chunk = static_cast<size_t>(std::min<off_t>(end - done, off_t{1} << 30));
        ssize_t n = -1;
        if (!plain) {
          n = copy_file_range(from, nullptr, to, nullptr, chunk, 0);
          if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
            plain = true;
            continue;
          }
        } else {
          n = sendfile(to, from, nullptr, chunk);
        }
        if (n < 0) {
          if (errno == EINTR) continue;
          entry_failed("cannot copy the contents", errno);
        }
        if (n == 0) break;  // the upper file shrank: nothing else writes it, but stop rather than spin
        done += n;
        report_.bytes += static_cast<uint64_t>(n);
      }
      if (done < end) break;
      pos = end;
    }
    if (ftruncate(to, size) != 0) entry_failed("cannot set the length", errno);
  }

  std::string stage_file(int upper, int lower, const std::string& name, const struct stat& st) {
    UniqueFd from(openat(upper, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!from.valid()) entry_failed("cannot open the upper file", errno);
    std::string temp;
    UniqueFd to = create_temporary(lower, temp);
    try {
      copy_contents(from.get(), to.get(), st.st_size);
      if (fchown(to.get(), st.st_uid, st.st_gid) != 0) entry_failed("cannot set the owner", errno);
      if (fchmod(to.get(), st.st_mode & kCommittedFileMode) != 0) entry_failed("cannot set the mode", errno);
      const timespec times[2] = {st.st_atim, st.st_mtim};
      if (futimens(to.get(), times) != 0) entry_failed("cannot set the times", errno);
      if (sync_ && fsync(to.get()) != 0) entry_failed("cannot sync", errno);
    } catch (const EntryFailed&) {
      unlinkat(lower, temp.c_str(), 0);
      throw;
    }
    return temp;
  }

  // Owner and times of the new entry `temp` (a link or a FIFO), not following it.
  void finish_special(int lower, const std::string& temp, const struct stat& st) {
    if (fchownat(lower, temp.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
      entry_failed("cannot set the owner", errno);
    const timespec times[2] = {st.st_atim, st.st_mtim};
    if (utimensat(lower, temp.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) entry_failed("cannot set the times", errno);
  }

  std::string stage_link(int upper, int lower, const std::string& name, const struct stat& st) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    const ssize_t n = readlinkat(upper, name.c_str(), target.data(), target.size());
    if (n < 0) entry_failed("cannot read the link", errno);
    if (static_cast<size_t>(n) >= target.size()) entry_failed("the link changed while being read", EAGAIN);
    target.resize(static_cast<size_t>(n));
    for (int attempt = 0;; ++attempt) {
      std::string temp = temporary_name();
      if (symlinkat(target.c_str(), lower, temp.c_str()) == 0) {
        try {
          finish_special(lower, temp, st);
        } catch (const EntryFailed&) {
          unlinkat(lower, temp.c_str(), 0);
          throw;
        }
        return temp;
      }
      if (errno != EEXIST || attempt >= 16) entry_failed("cannot create the link", errno);
    }
  }

  std::string stage_fifo(int lower, const struct stat& st) {
    for (int attempt = 0;; ++attempt) {
      std::string temp = temporary_name();
      if (mknodat(lower, temp.c_str(), S_IFIFO | 0600, 0) == 0) {
        try {
          // Owner and mode through a descriptor of the FIFO itself (a read-only, non-blocking
          // open needs no writer): fchmodat would follow a link that another user with write
          // access to the directory swapped in under the temporary name. Owner first: it clears
          // set-id bits.
          UniqueFd fifo(openat(lower, temp.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
          struct stat made {};
          if (!fifo.valid() || fstat(fifo.get(), &made) != 0) entry_failed("cannot open the new FIFO", errno);
          if (!S_ISFIFO(made.st_mode)) entry_failed("the new FIFO was replaced", EEXIST);
          if (fchown(fifo.get(), st.st_uid, st.st_gid) != 0) entry_failed("cannot set the owner", errno);
          if (fchmod(fifo.get(), st.st_mode & kCommittedFileMode) != 0) entry_failed("cannot set the mode", errno);
          const timespec times[2] = {st.st_atim, st.st_mtim};
          if (futimens(fifo.get(), times) != 0) entry_failed("cannot set the times", errno);
        } catch (const EntryFailed&) {
          unlinkat(lower, temp.c_str(), 0);
          throw;
        }
        return temp;
      }
      if (errno != EEXIST || attempt >= 16) entry_failed("cannot create the FIFO", errno);
    }
  }

  std::string prefix_;
  bool sync_;
  CommitReport& report_;
};

}  // namespace

std::string CommitReport::summary() const {
  std::string text = std::to_string(created) + " created, " + std::to_string(modified) + " modified, " +
                     std::to_string(deleted) + " deleted, " + std::to_string(skipped) + " skipped, " +
                     std::to_string(bytes) + " bytes";
  if (!errors.empty())
    text +=
        ", " + std::to_string(errors.size()) + (errors.size() == 1 ? " error: " : " errors, the first: ") + errors[0];
  return text;
}

CommitReport commit_workspace(const PreparedWorkspace& workspace, bool sync_files) {
  const std::string what = "workspace " + workspace.spec.path + ": commit";
  // O_PATH first (no link followed anywhere on the way), then the directory itself for reading.
  UniqueFd lower_path = open_path_no_links_or_fail(workspace.spec.path, what, O_DIRECTORY);
  const long lower_fd = sys_openat2(lower_path.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, kStrict);
  if (lower_fd < 0) fail_errno(what + ": cannot open " + workspace.spec.path, errno);
  UniqueFd lower(static_cast<int>(lower_fd));
  UniqueFd upper_path = open_path_no_links_or_fail(workspace.upper, what, O_DIRECTORY);
  const long upper_fd = sys_openat2(upper_path.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, kStrict);
  if (upper_fd < 0) fail_errno(what + ": cannot open " + workspace.upper, errno);
  UniqueFd upper(static_cast<int>(upper_fd));

  CommitReport report;
  Committer committer(workspace, sync_files, report);
  committer.directory(upper.get(), lower.get(), "");
  try {
    committer.directory_attributes(upper.get(), lower.get(), false);
    if (sync_files && fsync(lower.get()) != 0) report.errors.push_back(".: cannot sync: " + errno_text(errno));
  } catch (const EntryFailed& e) {
    report.errors.push_back(".: " + e.message);
  }
  return report;
}

}  // namespace polc::launcher::os
