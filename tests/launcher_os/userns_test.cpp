// The OS layer in a user namespace (policies that name `user` among their namespaces): the payload
// is root only in its own user namespace, which owns its mount namespace. Masks, read-only binds,
// the minimal /dev and a workspace overlay (with userxattr, whose opaque marks are user.overlay.*)
// must all work there, and the commit must read that form.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <string>

#include "launcher/os/mounts.h"
#include "launcher/os/workspace.h"
#include "launcher/os/workspace_commit.h"
#include "tests/launcher_os/harness.h"

namespace polc::launcher::os {
namespace {

using test::ChildChecks;
using test::TempDir;

bool write_text(const char* path, const std::string& text) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

// In the calling (child) process: a new user namespace where uid and gid 0 are this machine's 0
// (the one mapping a process may write for itself), and a mount namespace it owns.
bool enter_user_namespace() {
  return unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0 && write_text("/proc/self/setgroups", "deny") &&
         write_text("/proc/self/uid_map", "0 0 1") && write_text("/proc/self/gid_map", "0 0 1");
}

Mount mount_of(MountKind kind, const std::string& path) {
  Mount m;
  m.kind = kind;
  m.path = path;
  return m;
}

TEST_SUITE("user namespace") {
  TEST_CASE("mounts and a workspace in a user namespace") {
    TempDir t;
    const std::string ws = t / "ws", outside = t / "outside";
    REQUIRE(test::run_shell(R"(set -e
      mkdir -p "$1/secret" "$1/ro" "$1/o" "$2"
      echo k > "$1/secret/k"; echo r > "$1/ro/r"; echo 1 > "$1/o/1"; echo 2 > "$1/o/2"; echo t > "$1/token")",
                            {ws, outside}) == 0);
    Workspace spec;
    spec.path = ws;
    const PreparedWorkspace prepared = prepare_workspace(spec, t / "staging", true);
    OsSpec os;
    os.mount_ns = os.user_ns = true;
    os.mounts = {mount_of(MountKind::MinimalDev, "/dev"), mount_of(MountKind::Hide, ws + "/secret"),
                 mount_of(MountKind::ReadOnly, ws + "/ro"), mount_of(MountKind::Hide, ws + "/token")};
    CHECK(test::in_private_mount_ns([&] {
            ChildChecks check;
            check(enter_user_namespace(), "a user namespace");
            const MountReport report = apply_mounts(os, {prepared});
            check(report.applied() == 5, "everything applied: " + report.summary());
            check(test::read_file(ws + "/token").empty(), "the file is hidden");
            check(access((ws + "/secret/k").c_str(), F_OK) != 0, "the directory is hidden");
            check(open((ws + "/ro/new").c_str(), O_WRONLY | O_CREAT, 0644) < 0 && errno == EROFS, "read-only");
            test::write_file("/dev/null", "x");
            check(test::read_file("/dev/null").empty(), "/dev/null works");
            check(test::run_shell("set -e; cd \"$1\"; rm -rf o; mkdir o; echo 3 > o/3; echo new > new", {ws}) == 0,
                  "the payload's changes");
            return check.failures;
          }) == 0);
    char value[4] = {};
    CHECK(getxattr((prepared.upper + "/o").c_str(), "user.overlay.opaque", value, sizeof value) == 1);
    const CommitReport report = commit_workspace(prepared);
    INFO(report.summary());
    CHECK(report.ok());
    CHECK(test::read_file(ws + "/new") == "new\n");
    CHECK(test::run_shell("test \"$(ls -A \"$1\")\" = 3", {ws + "/o"}) == 0);
    CHECK(test::read_file(ws + "/token") == "t\n");
    discard_workspace(prepared);
  }

  TEST_CASE("mount_proc in a user namespace with its own PID namespace") {
    CHECK(test::in_private_mount_ns([&] {
            ChildChecks check;
            check(enter_user_namespace(), "a user namespace");
            check(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0, "/ private");
            check(unshare(CLONE_NEWPID) == 0, "a PID namespace");
            const pid_t init = fork();
            if (init == 0) {
              ChildChecks inner;
              mount_proc();
              char self[32] = {};
              inner(readlink("/proc/self", self, sizeof self - 1) > 0 && std::string(self) == "1", "/proc/self is 1");
              _exit(inner.failures);
            }
            int status = 0;
            waitpid(init, &status, 0);
            check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the init saw its own /proc");
            return check.failures;
          }) == 0);
  }
}

}  // namespace
}  // namespace polc::launcher::os
