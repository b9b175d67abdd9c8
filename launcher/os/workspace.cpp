// Stage: launcher (the OS layer). Staging, mounting and discarding a workspace (see workspace.h).
#include "launcher/os/workspace.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "launcher/os/mount_api.h"
#include "launcher/os/os_errors.h"

#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif

namespace polc::launcher::os {

namespace {

constexpr uint64_t kStrict = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;

// The filesystems an overlay's upper layer can live on (it needs whiteouts, xattrs, O_TMPFILE-
// style renames): the common local ones. Anything else is refused before the run, not at mount.
const char* upper_capable(int64_t type) {
  switch (type) {
    case TMPFS_MAGIC: return "tmpfs";
    case EXT4_SUPER_MAGIC: return "ext2/3/4";
    case XFS_SUPER_MAGIC: return "xfs";
    case BTRFS_SUPER_MAGIC: return "btrfs";
    default: return nullptr;
  }
}

std::string random_suffix() {
  unsigned char bytes[6];
  if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
    fail_errno("workspace: getrandom", errno);
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (unsigned char b : bytes) out += kAlphabet[b % 36];
  return out;
}

// Opens the staging parent, creating its last component (0700) when missing; the components
// above it must exist. Refuses a parent others could write into or swap.
UniqueFd open_staging_parent(const std::string& parent) {
  const std::string what = "workspace staging " + parent;
  if (parent.empty() || parent[0] != '/' || parent == "/") fail(what + ": not an absolute directory path");
  const size_t slash = parent.find_last_of('/');
  const std::string above = slash == 0 ? "/" : parent.substr(0, slash);
  const std::string name = parent.substr(slash + 1);
  UniqueFd up = open_path_no_links_or_fail(above, what, O_DIRECTORY);
  if (mkdirat(up.get(), name.c_str(), 0700) != 0 && errno != EEXIST) fail_errno(what + ": cannot create", errno);
  const long fd = sys_openat2(up.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0,
                              RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  if (fd < 0) fail_errno(what + ": cannot open (a symbolic link, or not a directory?)", errno);
  UniqueFd dir(static_cast<int>(fd));
  struct stat st {};
  if (fstat(dir.get(), &st) != 0) fail_errno(what + ": cannot stat", errno);
  if (st.st_uid != geteuid())
    fail(what + ": owned by uid " + std::to_string(st.st_uid) +
         ", not by this user: another user could reach the staged files");
  if ((st.st_mode & 077) != 0 && fchmod(dir.get(), 0700) != 0) fail_errno(what + ": cannot make it 0700", errno);
  return dir;
}

}  // namespace

PreparedWorkspace prepare_workspace(const Workspace& workspace, const std::string& staging_parent, bool user_xattr) {
  const std::string what = "workspace " + workspace.path + (workspace.at.empty() ? "" : " (" + workspace.at + ")");
  UniqueFd lower = open_path_no_links_or_fail(workspace.path, what, O_DIRECTORY);
  struct statvfs lower_vfs {};
  if (fstatvfs(lower.get(), &lower_vfs) != 0) fail_errno(what + ": cannot statvfs", errno);
  if (lower_vfs.f_flag & ST_RDONLY) fail(what + ": on a read-only mount, so no change could ever be committed");
  struct stat lower_st {};
  if (fstat(lower.get(), &lower_st) != 0) fail_errno(what + ": cannot stat", errno);

  UniqueFd parent = open_staging_parent(staging_parent);
  struct statfs fs {};
  if (fstatfs(parent.get(), &fs) != 0) fail_errno(what + ": cannot statfs the staging directory", errno);
  if (!upper_capable(fs.f_type)) {
    char type[32];
    std::snprintf(type, sizeof type, "0x%llx", static_cast<unsigned long long>(fs.f_type));
    fail(what + ": the staging directory " + staging_parent + " is on a filesystem (type " + type +
         ") that cannot hold an overlay's upper layer; use tmpfs, ext4, xfs or btrfs (--workspace-staging)");
  }
  // The staging directory inside the workspace would be part of the payload's view of it.
  const std::string prefix = workspace.path == "/" ? "/" : workspace.path + "/";
  if (staging_parent == workspace.path || staging_parent.rfind(prefix, 0) == 0)
    fail(what + ": the staging directory " + staging_parent + " lies inside the workspace");

  PreparedWorkspace prepared;
  prepared.spec = workspace;
  prepared.user_xattr = user_xattr;
  std::string name;
  for (int attempt = 0;; ++attempt) {
    name = "run-" + random_suffix();
    if (mkdirat(parent.get(), name.c_str(), 0700) == 0) break;
    if (errno != EEXIST || attempt > 100) fail_errno(what + ": cannot create a staging directory", errno);
  }
  prepared.staging = staging_parent + "/" + name;
  prepared.upper = prepared.staging + "/upper";
  prepared.work = prepared.staging + "/work";
  const long run_fd =
      sys_openat2(parent.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0, kStrict);
  if (run_fd < 0) fail_errno(what + ": cannot open " + prepared.staging, errno);
  UniqueFd run(static_cast<int>(run_fd));
  // The upper layer's root is what the payload sees as the workspace directory itself: it gets
  // the workspace's owner and mode (and so does the directory when the commit copies them back).
  if (mkdirat(run.get(), "upper", 0700) != 0 || mkdirat(run.get(), "work", 0700) != 0)
    fail_errno(what + ": cannot create upper/ and work/ in " + prepared.staging, errno);
  if (fchownat(run.get(), "upper", lower_st.st_uid, lower_st.st_gid, AT_SYMLINK_NOFOLLOW) != 0 ||
      fchmodat(run.get(), "upper", lower_st.st_mode & 07777, 0) != 0)
    fail_errno(what + ": cannot give upper/ the workspace's owner and mode", errno);
  // And its times, so that a run that changes nothing commits the directory's times unchanged.
  const timespec times[2] = {lower_st.st_atim, lower_st.st_mtim};
  if (utimensat(run.get(), "upper", times, AT_SYMLINK_NOFOLLOW) != 0)
    fail_errno(what + ": cannot give upper/ the workspace's times", errno);
  return prepared;
}

void mount_workspace(const PreparedWorkspace& workspace) {
  const std::string what = "workspace " + workspace.spec.path;
  UniqueFd lower = open_path_no_links_or_fail(workspace.spec.path, what, O_DIRECTORY);
  UniqueFd upper = open_path_no_links_or_fail(workspace.upper, what + ": upper", O_DIRECTORY);
  UniqueFd work = open_path_no_links_or_fail(workspace.work, what + ": work", O_DIRECTORY);
  struct statvfs vfs {};
  if (fstatvfs(lower.get(), &vfs) != 0) fail_errno(what + ": cannot statvfs", errno);
  unsigned attrs = 0;
  if (vfs.f_flag & ST_NOSUID) attrs |= MOUNT_ATTR_NOSUID;
  if (vfs.f_flag & ST_NODEV) attrs |= MOUNT_ATTR_NODEV;
  if (vfs.f_flag & ST_NOEXEC) attrs |= MOUNT_ATTR_NOEXEC;
  // The layers by descriptor, through /proc/self/fd: the overlay resolves these names itself, and
  // a magic link names exactly the directory opened here (no path is looked up twice).
  auto by_fd = [](const UniqueFd& fd) { return "/proc/self/fd/" + std::to_string(fd.get()); };
  std::vector<std::pair<std::string, std::string>> options = {
      {"lowerdir", by_fd(lower)}, {"upperdir", by_fd(upper)}, {"workdir", by_fd(work)}, {"redirect_dir", "nofollow"},
      {"metacopy", "off"},        {"index", "off"},           {"xino", "off"}};
  if (workspace.user_xattr) options.emplace_back("userxattr", "");
  UniqueFd overlay = make_detached_mount("overlay", options, attrs, what);
  attach_mount(overlay.get(), lower.get(), what);
}

int remove_tree_at(int dir_fd, const std::string& name, std::string& failed) {
  struct stat st {};
  if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return 0;
    failed = name;
    return errno;
  }
  if (S_ISDIR(st.st_mode)) {
    const long fd = sys_openat2(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0, kStrict);
    if (fd < 0) {
      failed = name;
      return errno;
    }
    DIR* dir = fdopendir(static_cast<int>(fd));
    if (!dir) {
      const int err = errno;
      close(static_cast<int>(fd));
      failed = name;
      return err;
    }
    // Names first, removal after: removing while reading a directory may skip entries.
    std::vector<std::string> names;
    while (const dirent* e = readdir(dir)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    int err = 0;
    for (const std::string& n : names) {
      std::string inner;
      err = remove_tree_at(dirfd(dir), n, inner);
      if (err != 0) {
        failed = name + "/" + inner;
        break;
      }
    }
    closedir(dir);
    if (err != 0) return err;
    if (unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
      failed = name;
      return errno;
    }
    return 0;
  }
  if (unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) {
    failed = name;
    return errno;
  }
  return 0;
}

void discard_workspace(const PreparedWorkspace& workspace) {
  const std::string what = "workspace " + workspace.spec.path + ": discarding " + workspace.staging;
  const size_t slash = workspace.staging.find_last_of('/');
  if (slash == std::string::npos || slash + 1 >= workspace.staging.size()) fail(what + ": not a staging path");
  UniqueFd parent =
      open_path_no_links_or_fail(slash == 0 ? "/" : workspace.staging.substr(0, slash), what, O_DIRECTORY);
  std::string failed;
  const int err = remove_tree_at(parent.get(), workspace.staging.substr(slash + 1), failed);
  if (err != 0) fail_errno(what + ": cannot remove " + failed, err);
}

}  // namespace polc::launcher::os
