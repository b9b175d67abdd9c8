// Stage: driver. Atomic, link-safe writes of single output files (see output_file.h).
#include "compiler/driver/output_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "compiler/driver/fd_io.h"

namespace polc::driver {

namespace {

constexpr int kMaxLinkHops = 8;       // as many links as a user's own link chain may have
constexpr int kMaxNameAttempts = 32;  // O_EXCL collisions on random names before giving up

std::string errno_text() { return std::strerror(errno); }

// A path split into the directory to open and the name inside it.
struct Place {
  std::string dir;
  std::string name;
};

Place split(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// The directory holding the target, opened, and the target's name in it, after following the
// caller's own links (see WriteFileOptions::Links). `existing` is the target as found (lstat), if any.
struct Target {
  UniqueFd dir;
  std::string name;
  std::string shown;  // the path named in messages
  std::optional<struct stat> existing;
};

std::optional<std::string> locate(const std::string& path, const WriteFileOptions& options, Target& out) {
  Place place = split(path);
  int base = AT_FDCWD;
  UniqueFd dir;
  for (int hop = 0;; ++hop) {
    if (place.name.empty() || place.name == "." || place.name == "..") return path + " names a directory, not a file";
    UniqueFd next(openat(base, place.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!next.valid()) return "cannot open the directory " + place.dir + ": " + errno_text();
    dir = std::move(next);
    struct stat st {};
    if (fstatat(dir.get(), place.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) return "cannot inspect " + path + ": " + errno_text();
      out = {std::move(dir), place.name, path, std::nullopt};
      return std::nullopt;
    }
    if (!S_ISLNK(st.st_mode) || options.links == WriteFileOptions::Links::Replace) {
      if (S_ISLNK(st.st_mode)) {
        out = {std::move(dir), place.name, path, std::nullopt};  // the link itself is replaced
        return std::nullopt;
      }
      if (!S_ISREG(st.st_mode)) return path + " exists and is not a regular file";
      out = {std::move(dir), place.name, path, st};
      return std::nullopt;
    }
    // A link: follow it only if the caller (or root) owns it. Anyone who can write the directory
    // can plant a link; only its owner decides where the caller's write lands.
    if (st.st_uid != geteuid() && st.st_uid != 0)
      return path + " is a symbolic link owned by another user (uid " + std::to_string(st.st_uid) +
             "); polc does not write through it";
    if (hop == kMaxLinkHops) return path + ": too many levels of symbolic links";
    std::string link(static_cast<size_t>(st.st_size > 0 ? st.st_size : 255) + 1, '\0');
    const ssize_t n = readlinkat(dir.get(), place.name.c_str(), link.data(), link.size());
    if (n < 0 || static_cast<size_t>(n) >= link.size()) return "cannot read the link " + path;
    link.resize(static_cast<size_t>(n));
    place = split(link);
    base = dir.get();  // a relative link is resolved from the link's own directory
  }
}

// Opens a new temporary file in `dir`, named after `name` with a random part; O_EXCL|O_NOFOLLOW:
// a name that exists (a planted link, another run's temporary) is never opened, a new one is drawn.
std::optional<std::string> create_temporary(int dir, const std::string& name, UniqueFd& fd, std::string& tmp) {
  // Keep the whole name under NAME_MAX (255) whatever the target's name.
  const std::string stem = "." + name.substr(0, 200) + ".polc-tmp-";
  for (int attempt = 0; attempt < kMaxNameAttempts; ++attempt) {
    tmp = stem + random_name_part(12);
    // 0600 until the content is complete and the final mode is set: nobody reads a partial file.
    UniqueFd f(openat(dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (f.valid()) {
      fd = std::move(f);
      return std::nullopt;
    }
    if (errno != EEXIST) return "cannot create a temporary file: " + errno_text();
  }
  return "cannot create a temporary file: every name drawn exists";
}

}  // namespace

std::optional<std::string> write_file_atomically(const std::string& path, std::string_view bytes,
                                                 const WriteFileOptions& options) {
  if (path.empty()) return "no file name";
  Target target;
  if (auto err = locate(path, options, target)) return err;
  if (!options.replace && (target.existing || options.links == WriteFileOptions::Links::Replace)) {
    struct stat st {};
    if (fstatat(target.dir.get(), target.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return path + " already exists";
  }
  UniqueFd fd;
  std::string tmp;
  if (auto err = create_temporary(target.dir.get(), target.name, fd, tmp)) return err;
  struct stat created {};
  fstat(fd.get(), &created);
  auto fail = [&](std::string message) -> std::optional<std::string> {
    // Remove the temporary only if the name is still ours (same inode): never someone else's file.
    struct stat now {};
    if (fstatat(target.dir.get(), tmp.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_ino == created.st_ino &&
        now.st_dev == created.st_dev)
      unlinkat(target.dir.get(), tmp.c_str(), 0);
    return message;
  };
  if (!write_all(fd.get(), bytes)) return fail("cannot write " + path + ": " + errno_text());
  mode_t mode = options.apply_umask ? (options.new_mode & ~current_umask()) : options.new_mode;
  if (target.existing) {
    // A replaced file keeps who may read it: a root-owned 0600 file stays root's and 0600.
    mode = target.existing->st_mode & 0777;
    if ((target.existing->st_uid != created.st_uid || target.existing->st_gid != created.st_gid) &&
        fchown(fd.get(), target.existing->st_uid, target.existing->st_gid) != 0)
      return fail("cannot keep the owner of " + path + " (uid " + std::to_string(target.existing->st_uid) +
                  "): " + errno_text());
  }
  if (fchmod(fd.get(), mode & 07777) != 0) return fail("cannot set the mode of " + path + ": " + errno_text());
  if (fsync(fd.get()) != 0) return fail("cannot write " + path + ": " + errno_text());
  if (close(fd.release()) != 0) return fail("cannot write " + path + ": " + errno_text());
  const int moved = options.replace ? renameat(target.dir.get(), tmp.c_str(), target.dir.get(), target.name.c_str())
                                    : renameat2(target.dir.get(), tmp.c_str(), target.dir.get(), target.name.c_str(),
                                                RENAME_NOREPLACE);
  if (moved != 0) {
    if (errno == EEXIST) return fail(path + " already exists");
    return fail("cannot replace " + path + ": " + errno_text());
  }
  fsync(target.dir.get());  // the rename durable too; a failure here loses nothing already visible
  return std::nullopt;
}

}  // namespace polc::driver
