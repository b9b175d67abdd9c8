// Stage: launcher (learning). The workload's Landlock ruleset under --against (child_landlock.h).
#include "launcher/record/child_landlock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace polc::record {

namespace {

// The kernel's uAPI structures (linux/landlock.h), spelled out: the build machine's headers may
// predate them. The ruleset attribute is passed with its first field only (ABI 1), which every
// Landlock kernel accepts.
struct RulesetAttr {
  uint64_t handled_access_fs;
};
struct PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));
constexpr int kRulePathBeneath = 1;

// The rights Landlock accepts on a rule for a non-directory: execute, write_file, read_file,
// truncate, ioctl_dev.
constexpr uint64_t kFileRights = (1ull << 0) | (1ull << 1) | (1ull << 2) | (1ull << 14) | (1ull << 15);

long create_ruleset(const RulesetAttr* attr) { return syscall(__NR_landlock_create_ruleset, attr, sizeof *attr, 0); }
long add_rule(int ruleset, const PathBeneathAttr* attr) {
  return syscall(__NR_landlock_add_rule, ruleset, kRulePathBeneath, attr, 0);
}
long restrict_self(int ruleset) { return syscall(__NR_landlock_restrict_self, ruleset, 0); }

}  // namespace

int apply_child_landlock(const ChildLandlock& landlock) {
  if (landlock.handled_fs == 0) return 0;
  const RulesetAttr attr{landlock.handled_fs};
  const long ruleset = create_ruleset(&attr);
  if (ruleset < 0) return errno;
  const int fd = static_cast<int>(ruleset);
  for (const auto& [path, rights] : landlock.rules) {
    const int parent = open(path.c_str(), O_PATH | O_CLOEXEC);
    if (parent < 0) {
      if (errno == ENOENT) continue;
      const int err = errno;
      close(fd);
      return err;
    }
    struct stat st {};
    uint64_t allowed = rights & landlock.handled_fs;
    if (fstat(parent, &st) == 0 && !S_ISDIR(st.st_mode)) allowed &= kFileRights;
    const PathBeneathAttr rule{allowed, parent};
    const long added = allowed == 0 ? 0 : add_rule(fd, &rule);
    const int err = errno;
    close(parent);
    if (added != 0) {
      close(fd);
      return err;
    }
  }
  const long restricted = restrict_self(fd);
  const int err = errno;
  close(fd);
  return restricted == 0 ? 0 : err;
}

}  // namespace polc::record
