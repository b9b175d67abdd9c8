// Stage: launcher (the OS layer). The mount API through syscall() (see mount_api.h).
#include "launcher/os/mount_api.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "launcher/os/os_errors.h"

namespace polc::launcher::os {

long sys_openat2(int dir_fd, const char* path, uint64_t flags, uint64_t mode, uint64_t resolve) {
  open_how how{};
  how.flags = flags;
  how.mode = mode;
  how.resolve = resolve;
  return syscall(SYS_openat2, dir_fd, path, &how, sizeof how);
}

long sys_open_tree(int dir_fd, const char* path, unsigned flags) { return syscall(SYS_open_tree, dir_fd, path, flags); }

long sys_move_mount(int from_fd, const char* from_path, int to_fd, const char* to_path, unsigned flags) {
  return syscall(SYS_move_mount, from_fd, from_path, to_fd, to_path, flags);
}

long sys_mount_setattr(int dir_fd, const char* path, unsigned flags, uint64_t attr_set, uint64_t attr_clr) {
  mount_attr attr{};
  attr.attr_set = attr_set;
  attr.attr_clr = attr_clr;
  return syscall(SYS_mount_setattr, dir_fd, path, flags, &attr, sizeof attr);
}

long sys_fsopen(const char* fs_name, unsigned flags) { return syscall(SYS_fsopen, fs_name, flags); }

long sys_fsconfig(int fs_fd, unsigned cmd, const char* key, const void* value, int aux) {
  return syscall(SYS_fsconfig, fs_fd, cmd, key, value, aux);
}

long sys_fsmount(int fs_fd, unsigned flags, unsigned attr_flags) {
  return syscall(SYS_fsmount, fs_fd, flags, attr_flags);
}

UniqueFd open_path_no_links(const std::string& path, uint64_t flags) {
  const long fd =
      sys_openat2(AT_FDCWD, path.c_str(), O_PATH | O_CLOEXEC | flags, 0, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  return UniqueFd(fd < 0 ? -1 : static_cast<int>(fd));
}

UniqueFd open_path_no_links_or_fail(const std::string& path, const std::string& what, uint64_t flags) {
  UniqueFd fd = open_path_no_links(path, flags);
  if (fd.valid()) return fd;
  const int err = errno;
  if (err == ELOOP)
    fail(what + ": " + path + " has a symbolic link in it; the OS layer never follows one (write the resolved path)");
  fail_errno(what + ": cannot open " + path, err);
}

namespace {

// The messages the kernel logged on an fs context ("e overlay: ..."), one line each.
std::string context_log(int fs_fd) {
  std::string log;
  char buffer[512];
  for (;;) {
    const ssize_t n = read(fs_fd, buffer, sizeof buffer);
    if (n <= 0) break;
    if (!log.empty()) log += "; ";
    log.append(buffer, static_cast<size_t>(n));
  }
  return log;
}

}  // namespace

UniqueFd make_detached_mount(const std::string& type, const std::vector<std::pair<std::string, std::string>>& options,
                             unsigned attrs, const std::string& what) {
  const long raw = sys_fsopen(type.c_str(), FSOPEN_CLOEXEC);
  if (raw < 0) fail_errno(what + ": cannot create a " + type + " filesystem", errno);
  UniqueFd fs(static_cast<int>(raw));
  auto refused = [&](const std::string& step) {
    const int err = errno;
    const std::string log = context_log(fs.get());
    fail(what + ": " + type + " " + step + ": " + errno_text(err) + (log.empty() ? "" : " [" + log + "]"));
  };
  for (const auto& [key, value] : options) {
    const long rc = value.empty() ? sys_fsconfig(fs.get(), FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0)
                                  : sys_fsconfig(fs.get(), FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0);
    if (rc != 0) refused("refuses the option " + key + (value.empty() ? "" : "=" + value));
  }
  if (sys_fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) refused("cannot be created");
  const long mnt = sys_fsmount(fs.get(), FSMOUNT_CLOEXEC, attrs);
  if (mnt < 0) refused("cannot be mounted");
  return UniqueFd(static_cast<int>(mnt));
}

void attach_mount(int tree, int target, const std::string& what) {
  if (sys_move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    fail_errno(what + ": cannot attach the mount", errno);
}

UniqueFd clone_mount(int source, bool recursive, const std::string& what) {
  const long fd =
      sys_open_tree(source, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
  if (fd < 0) fail_errno(what + ": cannot copy the mount (open_tree)", errno);
  return UniqueFd(static_cast<int>(fd));
}

void set_mount_attrs(int tree, uint64_t attrs, bool recursive, const std::string& what) {
  if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), attrs, 0) != 0)
    fail_errno(what + ": cannot set the mount's flags (mount_setattr)", errno);
}

}  // namespace polc::launcher::os
