// Stage: launcher (the OS layer). The payload's mounts (see mounts.h).
#include "launcher/os/mounts.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <tuple>

#include "launcher/os/mount_api.h"
#include "launcher/os/os_errors.h"
#include "launcher/os/os_json.h"

namespace polc::launcher::os {

namespace {

constexpr uint64_t kBeneath = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

std::string octal(mode_t mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// `name` in the directory `dir` as O_PATH (plus `flags`), no link followed; -1 and errno on failure.
UniqueFd open_beneath(int dir, const char* name, uint64_t flags = 0) {
  const long fd = sys_openat2(dir, name, O_PATH | O_CLOEXEC | flags, 0, kBeneath);
  return UniqueFd(fd < 0 ? -1 : static_cast<int>(fd));
}

struct stat stat_of(int fd, const std::string& what) {
  struct stat st {};
  if (fstat(fd, &st) != 0) fail_errno(what + ": cannot stat", errno);
  return st;
}

// An empty file to bind over hidden files: a regular file, 0444, in a small read-only tmpfs of
// its own that is never attached anywhere. Older kernels refuse to copy a mount out of a detached
// one (open_tree fails): then the tree is invalid and hide() binds the host's /dev/null instead.
class EmptyFileSource {
 public:
  // A detached mount of the empty file, or an invalid descriptor where the kernel refuses.
  UniqueFd tree() {
    if (!made_) make();
    if (!holder_.valid()) return UniqueFd();
    const long fd = sys_open_tree(holder_.get(), "empty", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    return UniqueFd(fd < 0 ? -1 : static_cast<int>(fd));
  }

 private:
  void make() {
    made_ = true;
    UniqueFd fs = make_detached_mount("tmpfs", {{"size", "4k"}, {"nr_inodes", "8"}, {"mode", "0555"}}, 0,
                                      "hide: the empty file's tmpfs");
    const int file = openat(fs.get(), "empty", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
    if (file < 0) fail_errno("hide: cannot create the empty file", errno);
    fchmod(file, 0444);
    close(file);
    set_mount_attrs(fs.get(), MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, false,
                    "hide: the empty file's tmpfs");
    const long probe = sys_open_tree(fs.get(), "empty", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (probe < 0) return;  // this kernel cannot bind from a detached mount
    close(static_cast<int>(probe));
    holder_ = std::move(fs);
  }
  bool made_ = false;
  UniqueFd holder_;
};

void hide(const Mount& mount, int target, EmptyFileSource& empty, MountOutcome& outcome) {
  const std::string what = "hide " + mount.path;
  const struct stat st = stat_of(target, what);
  if (S_ISDIR(st.st_mode)) {
    UniqueFd tmpfs =
        make_detached_mount("tmpfs", {{"size", "4k"}, {"nr_inodes", "8"}, {"mode", "0555"}},
                            MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, what);
    attach_mount(tmpfs.get(), target, what);
    return;
  }
  UniqueFd tree = empty.tree();
  if (!tree.valid()) {
    // The host's /dev/null, made read-only. A read-only mount does not stop writes to a device
    // node, so writes are accepted and dropped; reads still give nothing.
    UniqueFd null = open_path_no_links_or_fail("/dev/null", what);
    if (!S_ISCHR(stat_of(null.get(), what).st_mode)) fail(what + ": /dev/null is not a character device");
    tree = clone_mount(null.get(), false, what);
    set_mount_attrs(tree.get(), MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, false, what);
    outcome.note = "/dev/null bound read-only (this kernel cannot bind a detached empty file)";
  }
  attach_mount(tree.get(), target, what);
}

void private_tmpfs(const Mount& mount, int target) {
  const std::string what = "tmpfs " + mount.path;
  const struct stat st = stat_of(target, what);
  if (!S_ISDIR(st.st_mode)) fail(what + ": not a directory");
  std::vector<std::pair<std::string, std::string>> options = {
      {"mode", octal(st.st_mode)}, {"uid", std::to_string(st.st_uid)}, {"gid", std::to_string(st.st_gid)}};
  if (mount.size != 0) options.emplace_back("size", std::to_string(mount.size));
  UniqueFd tmpfs = make_detached_mount("tmpfs", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, what);
  attach_mount(tmpfs.get(), target, what);
}

void bind_with_flag(const Mount& mount, int target, uint64_t flag) {
  const std::string what = std::string(mount_kind_name(mount.kind)) + " " + mount.path;
  UniqueFd tree = clone_mount(target, true, what);
  set_mount_attrs(tree.get(), flag, true, what);
  attach_mount(tree.get(), target, what);
}

void create_file(int dir, const char* name, mode_t mode, const std::string& what) {
  const int fd = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) fail_errno(what + ": cannot create /dev/" + name, errno);
  close(fd);
}

void minimal_dev(int target, MountOutcome& outcome) {
  const std::string what = "minimal_dev";
  if (!S_ISDIR(stat_of(target, what).st_mode)) fail(what + ": /dev is not a directory");
  // The host's nodes, opened before the new /dev covers them.
  static const char* const kNodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
  std::vector<std::pair<const char*, UniqueFd>> nodes;
  for (const char* name : kNodes) {
    UniqueFd node = open_beneath(target, name);
    if (!node.valid()) {
      if (errno != ENOENT) fail_errno(what + ": cannot open the host's /dev/" + name, errno);
      outcome.note += std::string(outcome.note.empty() ? "" : ", ") + "no host /dev/" + name;
      continue;
    }
    if (!S_ISCHR(stat_of(node.get(), what).st_mode))
      fail(what + ": the host's /dev/" + name + " is not a character device");
    nodes.emplace_back(name, std::move(node));
  }

  UniqueFd dev =
      make_detached_mount("tmpfs", {{"mode", "0755"}, {"size", "64k"}}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, what);
  for (const auto& [name, node] : nodes) create_file(dev.get(), name, 0666, what);
  for (const char* dir : {"pts", "shm"})
    if (mkdirat(dev.get(), dir, 0755) != 0) fail_errno(what + ": cannot create /dev/" + dir, errno);
  const std::pair<const char*, const char*> links[] = {{"fd", "/proc/self/fd"},
                                                       {"stdin", "/proc/self/fd/0"},
                                                       {"stdout", "/proc/self/fd/1"},
                                                       {"stderr", "/proc/self/fd/2"},
                                                       {"ptmx", "pts/ptmx"}};
  for (const auto& [name, to] : links)
    if (symlinkat(to, dev.get(), name) != 0) fail_errno(what + ": cannot create /dev/" + name, errno);
  attach_mount(dev.get(), target, what);

  for (const auto& [name, node] : nodes) {
    UniqueFd at = open_beneath(dev.get(), name);
    if (!at.valid()) fail_errno(what + ": cannot open the new /dev/" + name, errno);
    UniqueFd tree = clone_mount(node.get(), false, what + " /dev/" + name);
    set_mount_attrs(tree.get(), MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, false, what + " /dev/" + name);
    attach_mount(tree.get(), at.get(), what + " /dev/" + name);
  }
  UniqueFd pts_at = open_beneath(dev.get(), "pts", O_DIRECTORY);
  if (!pts_at.valid()) fail_errno(what + ": cannot open the new /dev/pts", errno);
  UniqueFd pts = make_detached_mount("devpts", {{"newinstance", ""}, {"ptmxmode", "0666"}, {"mode", "0620"}},
                                     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, what + " /dev/pts");
  attach_mount(pts.get(), pts_at.get(), what + " /dev/pts");
  UniqueFd shm_at = open_beneath(dev.get(), "shm", O_DIRECTORY);
  if (!shm_at.valid()) fail_errno(what + ": cannot open the new /dev/shm", errno);
  UniqueFd shm = make_detached_mount("tmpfs", {{"mode", "1777"}, {"size", std::to_string(64u << 20)}},
                                     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, what + " /dev/shm");
  attach_mount(shm.get(), shm_at.get(), what + " /dev/shm");
}

// The order of the walk at one path (mounts.h): minimal_dev, tmpfs, the workspace, the rest.
int rank_of(MountKind kind) {
  switch (kind) {
    case MountKind::MinimalDev: return 0;
    case MountKind::Tmpfs: return 1;
    case MountKind::Hide: return 3;
    case MountKind::ReadOnly: return 4;
    case MountKind::NoExec: return 5;
    case MountKind::NoDev: return 6;
  }
  return 7;
}

struct Step {
  const std::string* path;
  int rank;
  const Mount* mount;  // or
  const PreparedWorkspace* workspace;
};

}  // namespace

size_t MountReport::applied() const {
  return static_cast<size_t>(std::count_if(outcomes.begin(), outcomes.end(), [](auto& o) { return o.applied; }));
}

size_t MountReport::skipped() const { return outcomes.size() - applied(); }

std::string MountReport::summary() const {
  std::string done, skipped_text;
  for (const MountOutcome& o : outcomes) {
    std::string& into = o.applied ? done : skipped_text;
    if (!into.empty()) into += ", ";
    into += o.kind + " " + o.path;
    if (!o.note.empty()) into += " (" + o.note + ")";
  }
  if (done.empty()) done = "none";
  return skipped_text.empty() ? done : done + "; skipped: " + skipped_text;
}

MountReport apply_mounts(const OsSpec& spec, const std::vector<PreparedWorkspace>& workspaces) {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    fail_errno("mounts: cannot make / private (is this the payload's own mount namespace?)", errno);

  std::vector<Step> steps;
  for (const Mount& m : spec.mounts) steps.push_back({&m.path, rank_of(m.kind), &m, nullptr});
  for (const PreparedWorkspace& w : workspaces) steps.push_back({&w.spec.path, 2, nullptr, &w});
  std::stable_sort(steps.begin(), steps.end(),
                   [](const Step& a, const Step& b) { return std::tie(*a.path, a.rank) < std::tie(*b.path, b.rank); });

  MountReport report;
  EmptyFileSource empty;
  for (const Step& step : steps) {
    MountOutcome outcome;
    outcome.path = *step.path;
    if (step.workspace) {
      outcome.kind = "workspace";
      mount_workspace(*step.workspace);
      outcome.applied = true;
      report.outcomes.push_back(std::move(outcome));
      continue;
    }
    const Mount& m = *step.mount;
    outcome.kind = mount_kind_name(m.kind);
    const std::string what = outcome.kind + " " + m.path + (m.at.empty() ? "" : " (" + m.at + ")");
    UniqueFd target = open_path_no_links(m.path, m.kind == MountKind::MinimalDev ? O_DIRECTORY : 0);
    if (!target.valid()) {
      const int err = errno;
      if (m.kind == MountKind::Hide && err == ENOENT) {
        outcome.note = "missing: nothing to hide";
        report.outcomes.push_back(std::move(outcome));
        continue;
      }
      if (err == ELOOP)
        fail(what + ": " + m.path +
             " has a symbolic link in it; the OS layer never follows one (write the resolved path)");
      fail_errno(what + ": cannot open " + m.path, err);
    }
    switch (m.kind) {
      case MountKind::MinimalDev: minimal_dev(target.get(), outcome); break;
      case MountKind::Tmpfs: private_tmpfs(m, target.get()); break;
      case MountKind::Hide: hide(m, target.get(), empty, outcome); break;
      case MountKind::ReadOnly: bind_with_flag(m, target.get(), MOUNT_ATTR_RDONLY); break;
      case MountKind::NoExec: bind_with_flag(m, target.get(), MOUNT_ATTR_NOEXEC); break;
      case MountKind::NoDev: bind_with_flag(m, target.get(), MOUNT_ATTR_NODEV); break;
    }
    outcome.applied = true;
    report.outcomes.push_back(std::move(outcome));
  }
  return report;
}

void mount_proc() {
  UniqueFd proc = open_path_no_links_or_fail("/proc", "proc", O_DIRECTORY);
  UniqueFd fresh = make_detached_mount("proc", {}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "proc");
  attach_mount(fresh.get(), proc.get(), "proc");
}

}  // namespace polc::launcher::os
