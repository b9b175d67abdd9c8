// Stage: launcher. Landlock ruleset construction and restrict_self.
#include "launcher/landlock_apply.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "launcher/errors.h"
#include "launcher/landlock_uapi.h"

namespace polc::launcher {

namespace {

[[noreturn]] void apply_failed(const std::string& message) { throw Failure(ExitCode::ApplyFailed, "landlock: " + message); }

// A component that does not exist, or a file where a directory was expected on the way: the
// path names nothing, so its rule could only have granted access, never taken it away.
bool names_nothing(int err) { return err == ENOENT || err == ENOTDIR; }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// True when `path` is `dir` or lies beneath it (both absolute).
bool beneath(const std::string& path, const std::string& dir) {
  if (dir == "/" || path == dir) return true;
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

// A rule path that passes through a symbolic link the sandbox itself could have made (one inside
// a grant with make_sym or refer) is refused: a payload of an earlier run could have replaced a
// granted directory with a link to anywhere, and this run would grant the rule's rights there.
// Links elsewhere (/bin -> usr/bin) are the host's and are followed.
void refuse_planted_links(const FsRule& rule, const std::vector<FsRule>& rules) {
  constexpr uint64_t kCanPlant = (uint64_t{1} << 12) | (uint64_t{1} << 13);  // make_sym, refer
  for (size_t slash = rule.path.find('/', 1);; slash = rule.path.find('/', slash + 1)) {
    const std::string prefix = rule.path.substr(0, slash);
    struct stat st {};
    if (lstat(prefix.c_str(), &st) != 0) return;  // a missing component: nothing to follow
    if (S_ISLNK(st.st_mode)) {
      const std::string parent = prefix.substr(0, std::max<size_t>(prefix.rfind('/'), 1));
      for (const FsRule& writable : rules)
        if ((writable.access & kCanPlant) != 0 && beneath(parent, writable.path))
          apply_failed("the rule for " + rule.path + " passes through the symbolic link " + prefix +
                       ", inside " + writable.path + " where the sandbox may create links: an earlier run "
                       "could have planted it; remove the link or write the resolved path in the policy");
    }
    if (slash == std::string::npos) return;
  }
}

// The host's spelling of `path`: symbolic links resolved, and for a path that does not exist
// (yet), its longest existing ancestor resolved with the rest appended, since the payload could
// create the rest. nullopt only when not even "/" resolves.
std::optional<std::string> resolved(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) != nullptr) return std::string(buf);
  const size_t slash = path.rfind('/');
  if (errno != ENOENT || slash == std::string::npos || path.size() <= 1) return std::nullopt;
  auto parent = resolved(slash == 0 ? "/" : path.substr(0, slash));
  if (!parent) return std::nullopt;
  return (*parent == "/" ? "" : *parent) + path.substr(slash);
}

// polc refused, at build time, every deny that overlaps a grant by path text (E0606). On this host
// a path may be a link into another tree (/bin -> usr/bin), which would void a deny the build
// accepted; so the check is repeated on resolved paths, and the launch refused if it fails.
void check_denies_on_host(const FsLayer& fs) {
  for (const FsRule& deny : fs.denies) {
    auto d = resolved(deny.path);
    if (!d) continue;
    for (const FsRule& grant : fs.rules) {
      if ((grant.access & deny.access) == 0) continue;
      auto g = resolved(grant.path);
      if (!g || !(beneath(*d, *g) || beneath(*g, *d))) continue;
      apply_failed("the policy denies " + deny.path + " (" + *d + " on this host), but the rule for " + grant.path +
                   " (" + *g + ") grants overlapping rights there, and Landlock cannot take them back");
    }
  }
}

}  // namespace

int landlock_kernel_abi() {
  long abi = uapi::create_ruleset(nullptr, 0, uapi::kCreateRulesetVersion);
  // ENOSYS: not built in; EOPNOTSUPP: built in but disabled at boot. Both mean no Landlock.
  return abi < 0 ? 0 : static_cast<int>(abi);
}

PathProbe probe_path(const FsRule& rule) {
  PathProbe probe;
  struct stat st {};
  if (stat(rule.path.c_str(), &st) != 0) return probe;
  probe.kind = S_ISDIR(st.st_mode) ? PathProbe::Directory : PathProbe::File;
  probe.access = probe.kind == PathProbe::Directory ? rule.access : rule.access & fs_file_rights();
  return probe;
}

LandlockOutcome apply_landlock(const LandlockPolicy& policy, const LandlockPlan& plan) {
  LandlockOutcome outcome;
  if (!plan.any()) return outcome;

  uapi::LandlockRulesetAttr attr{};
  if (plan.fs) attr.handled_access_fs = policy.fs->handled;
  if (plan.net) attr.handled_access_net = policy.net->handled;
  if (plan.scope) attr.scoped = policy.scope->scoped;
  long ruleset = uapi::create_ruleset(&attr, sizeof attr, 0);
  if (ruleset < 0) apply_failed("landlock_create_ruleset failed: " + errno_text(errno));
  Fd ruleset_fd(static_cast<int>(ruleset));

  if (plan.fs) {
    check_denies_on_host(*policy.fs);
    for (const FsRule& rule : policy.fs->rules) {
      refuse_planted_links(rule, policy.fs->rules);
      int fd = open(rule.path.c_str(), O_PATH | O_CLOEXEC);
      if (fd < 0) {
        int err = errno;
        if (names_nothing(err)) {
          outcome.skipped_paths.push_back(rule.path);
          continue;
        }
        apply_failed("cannot open " + rule.path + ": " + errno_text(err));
      }
      Fd path_fd(fd);
      struct stat st {};
      if (fstat(fd, &st) != 0) apply_failed("cannot stat " + rule.path + ": " + errno_text(errno));
      uapi::LandlockPathBeneathAttr beneath{};
      beneath.allowed_access = rule.access;
      beneath.parent_fd = fd;
      if (!S_ISDIR(st.st_mode)) {
        // Directory rights on a file are refused by the kernel (EINVAL); they could not apply to
        // anything beneath a file anyway, so dropping them changes nothing and is not reported.
        beneath.allowed_access &= fs_file_rights();
        if (beneath.allowed_access == 0) {
          outcome.skipped_paths.push_back(rule.path);
          continue;
        }
      }
      if (uapi::add_rule(ruleset_fd.get(), uapi::kRulePathBeneath, &beneath) != 0)
        apply_failed("cannot add the rule for " + rule.path + ": " + errno_text(errno));
    }
  }

  if (plan.net) {
    for (const NetRule& rule : policy.net->rules) {
      for (auto [low, high] : rule.ports) {
        // Landlock has one rule per port; ranges are expanded here.
        for (uint32_t port = low; port <= high; ++port) {
          uapi::LandlockNetPortAttr net{};
          net.allowed_access = rule.access;
          net.port = port;
          if (uapi::add_rule(ruleset_fd.get(), uapi::kRuleNetPort, &net) != 0)
            apply_failed("cannot add the rule for TCP port " + std::to_string(port) + ": " + errno_text(errno));
        }
      }
    }
  }

  if (uapi::restrict_self(ruleset_fd.get()) != 0) apply_failed("landlock_restrict_self failed: " + errno_text(errno));
  return outcome;
}

}  // namespace polc::launcher
