// The payload's mounts on the real kernel (launcher/os/mounts.h), each made in a forked child's
// private mount namespace: what every kind does, that a symbolic link in a path refuses, and the
// report for the audit line.
#include "launcher/os/mounts.h"

#include <dirent.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "launcher/errors.h"
#include "launcher/os/mount_api.h"
#include "tests/launcher_os/harness.h"

namespace polc::launcher::os {
namespace {

using test::ChildChecks;
using test::in_private_mount_ns;
using test::TempDir;

OsSpec spec_of(std::initializer_list<Mount> mounts) {
  OsSpec spec;
  spec.mount_ns = true;
  spec.mounts = mounts;
  return spec;
}

Mount mount_of(MountKind kind, const std::string& path, uint64_t size = 0) {
  Mount m;
  m.kind = kind;
  m.path = path;
  m.size = size;
  return m;
}

std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) return {"<cannot open: " + std::to_string(errno) + ">"};
  while (const dirent* e = readdir(d))
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.insert(e->d_name);
  closedir(d);
  return names;
}

// errno of opening `path` with `flags` (0 when it opens).
int open_errno(const std::string& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

// The message apply_mounts refuses `spec` with, in a child ("" when it does not refuse); passed
// back through a pipe.
std::string refusal_in_child(const OsSpec& spec) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const int status = in_private_mount_ns([&] {
    close(fds[0]);
    std::string message;
    try {
      apply_mounts(spec, {});
    } catch (const Failure& f) {
      message = f.what();
    }
    (void)!write(fds[1], message.data(), message.size());
    return 0;
  });
  close(fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  CHECK(status == 0);
  return message;
}

// Whether this kernel copies a mount out of a detached one (open_tree OPEN_TREE_CLONE on a
// fsmount'ed tmpfs), which hide needs for its empty file; asked independently of mounts.cpp.
bool kernel_copies_detached_mounts() {
  UniqueFd fs = make_detached_mount("tmpfs", {{"size", "4k"}}, 0, "probe");
  const long tree = sys_open_tree(fs.get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0) return false;
  close(static_cast<int>(tree));
  return true;
}

TEST_SUITE("mounts") {
  TEST_CASE("hide: a directory cannot be listed or read, its siblings can") {
    TempDir t;
    REQUIRE(mkdir((t / "secret").c_str(), 0755) == 0);
    REQUIRE(mkdir((t / "sibling").c_str(), 0755) == 0);
    test::write_file(t / "secret/key", "private");
    test::write_file(t / "sibling/notes", "public");
    const OsSpec spec = spec_of({mount_of(MountKind::Hide, t / "secret")});
    CHECK(in_private_mount_ns([&] {
            ChildChecks check;
            const MountReport report = apply_mounts(spec, {});
            check(report.applied() == 1 && report.skipped() == 0, "one mount applied");
            check(entries(t / "secret").empty(), "the hidden directory lists nothing");
            check(open_errno(t / "secret/key", O_RDONLY) == ENOENT, "the hidden file is not there");
            check(open_errno(t / "secret/new", O_WRONLY | O_CREAT) == EROFS, "nothing can be created there");
            check(test::read_file(t / "sibling/notes") == "public", "the sibling reads");
            check(open_errno(t / "sibling/new", O_WRONLY | O_CREAT) == 0, "the sibling takes new files");
            struct statfs fs {};
            check(statfs((t / "secret").c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC, "a tmpfs");
            struct stat st {};
            check(stat((t / "secret").c_str(), &st) == 0 && (st.st_mode & 07777) == 0555, "mode 0555");
            struct statvfs vfs {};
            check(statvfs((t / "secret").c_str(), &vfs) == 0 &&
                      (vfs.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC)) ==
                          (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC),
                  "ro, nosuid, nodev, noexec");
            return check.failures;
          }) == 0);
    // Nothing of it reached this mount namespace.
    CHECK(test::read_file(t / "secret/key") == "private");
    CHECK_FALSE(test::is_mount_point(t / "secret"));
  }

  TEST_CASE("hide: a file reads empty and refuses writes") {
    TempDir t;
    test::write_file(t / "token", "s3cret", 0600);
    test::write_file(t / "other", "fine");
    const OsSpec spec = spec_of({mount_of(MountKind::Hide, t / "token")});
    CHECK(in_private_mount_ns([&] {
            ChildChecks check;
            const MountReport report = apply_mounts(spec, {});
            check(report.outcomes.size() == 1 && report.outcomes[0].applied, "applied");
            check(test::read_file(t / "token").empty(), "reads empty");
            if (!kernel_copies_detached_mounts()) {
              // An older kernel: the host's /dev/null, read-only (writes are dropped, not refused).
              check(!report.outcomes[0].note.empty(), "the fallback is reported");
              std::fprintf(stderr, "note: %s\n", report.outcomes[0].note.c_str());
              return check.failures;
            }
            check(report.outcomes[0].note.empty(), "an empty read-only file, not the /dev/null fallback");
            check(open_errno(t / "token", O_WRONLY) == EROFS, "refuses writes (EROFS)");
            check(open_errno(t / "token", O_WRONLY | O_TRUNC) == EROFS, "refuses truncation");
            struct stat st {};
            check(stat((t / "token").c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0, "an empty file");
            check(test::read_file(t / "other") == "fine", "the sibling reads");
            return check.failures;
          }) == 0);
    CHECK(test::read_file(t / "token") == "s3cret");
  }

  TEST_CASE("hide: a missing path is skipped and reported") {
    TempDir t;
    const OsSpec spec = spec_of({mount_of(MountKind::Hide, t / "absent")});
    CHECK(in_private_mount_ns([&] {
            ChildChecks check;
            const MountReport report = apply_mounts(spec, {});
            check(report.applied() == 0 && report.skipped() == 1, "skipped");
            check(report.summary().find("skipped: hide " + (t / "absent")) != std::string::npos, "in the summary");
            return check.failures;
          }) == 0);
  }

  TEST_CASE("readonly: writes fail with EROFS, mounts beneath included, locked flags kept") {
    TempDir t;
    REQUIRE(mkdir((t / "ro").c_str(), 0755) == 0);
    REQUIRE(mkdir((t / "ro/inner").c_str(), 0755) == 0);
    test::write_file(t / "ro/file", "old");
    const OsSpec spec = spec_of({mount_of(MountKind::ReadOnly, t / "ro")});
    CHECK(in_private_mount_ns([&] {
            ChildChecks check;
            // A nosuid mount beneath (as a host's /tmp or /dev would be): it stays nosuid.
            check(mount("tmpfs", (t / "ro/inner").c_str(), "tmpfs", MS_NOSUID, "size=64k") == 0, "inner tmpfs");
            check(open_errno(t / "ro/inner/before", O_WRONLY | O_CREAT) == 0, "the inner tmpfs is writable before");
            apply_mounts(spec, {});
            check(open_errno(t / "ro/file", O_WRONLY) == EROFS, "the file refuses writes");
            check(open_errno(t / "ro/new", O_WRONLY | O_CREAT) == EROFS, "the directory refuses new files");
            check(unlink((t / "ro/file").c_str()) != 0 && errno == EROFS, "the directory refuses unlink");
            check(open_errno(t / "ro/inner/after", O_WRONLY | O_CREAT) == EROFS, "the mount beneath is read-only too");
            check(test::read_file(t / "ro/file") == "old", "still reads");
            struct statvfs vfs {};
            check(statvfs((t / "ro/inner").c_str(), &vfs) == 0 && (vfs.f_flag & ST_NOSUID), "nosuid kept");
            return check.failures;
          }) == 0);
    CHECK(access((t / "ro/inner/before").c_str(), F_OK) != 0);  // that tmpfs was the child's only
  }

  TEST_CASE("noexec: execve fails, the same program runs before") {
    TempDir t;
    REQUIRE(mkdir((t / "bin").c_str(), 0755) == 0);
    REQUIRE(test::run_shell("cp /bin/true \"$1\"", {t / "bin/true"}) == 0);
    const OsSpec spec = spec_of({mount_of(MountKind::NoExec, t / "bin")});
    CHECK(in_private_mount_ns([&] {
            ChildChecks check;
            auto exec_errno = [&] {
              const pid_t pid = fork();
              if (pid == 0) {
                const std::string program = t / "bin/true";
                char* const argv[] = {const_cast<char*>(program.c_str()), nullptr};
                execv(program.c_str(), argv);
                _exit(errno);
              }
              int status = 0;
              waitpid(pid, &status, 0);
              return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            };
            check(exec_errno() == 0, "runs before");
            apply_mounts(spec, {});
            check(exec_errno() == EACCES, "execve refused with EACCES");
            check(test::read_file(t / "bin/true").size() > 0, "still readable");
            return check.failures;
          }) == 0);
  }

  TEST_CASE("nodev: a device node cannot be opened") {
    TempDir t;
    REQUIRE(mkdir((t / "d").c_str(), 0755) == 0);
    REQUIRE(mknod((t / "d/null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    const OsSpec spec = spec_of({mount_of(MountKind::NoDev, t / "d")});
    CHECK(in_private_mount_ns([&] {
            ChildChecks check;
            check(open_errno(t / "d/null", O_WRONLY) == 0, "opens before");
            apply_mounts(spec, {});
            check(open_errno(t / "d/null", O_WRONLY) == EACCES, "refused with EACCES");
            return check.failures;
          }) == 0);
  }

  TEST_CASE("tmpfs: empty, private, the directory's mode and owner, the size") {
    TempDir t;
    REQUIRE(mkdir((t / "scratch").c_str(), 0755) == 0);
    REQUIRE(chmod((t / "scratch").c_str(), 01777) == 0);
    REQUIRE(chown((t / "scratch").c_str(), 1234, 5678) == 0);
    test::write_file(t / "scratch/existing", "host");
    const OsSpec spec = spec_of({mount_of(MountKind::Tmpfs, t / "scratch", 1 << 20)});
    CHECK(in_private_mount_ns([&] {
            ChildChecks check;
            apply_mounts(spec, {});
            check(entries(t / "scratch").empty(), "empty");
            test::write_file(t / "scratch/mine", "payload");
            check(test::read_file(t / "scratch/mine") == "payload", "writable");
            struct stat st {};
            check(stat((t / "scratch").c_str(), &st) == 0 && (st.st_mode & 07777) == 01777, "mode 1777 kept");
            check(st.st_uid == 1234 && st.st_gid == 5678, "owner kept");
            struct statfs fs {};
            check(statfs((t / "scratch").c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC, "a tmpfs");
            check(static_cast<uint64_t>(fs.f_blocks) * fs.f_bsize == (1u << 20), "1 MiB");
            struct statvfs vfs {};
            check(statvfs((t / "scratch").c_str(), &vfs) == 0 && (vfs.f_flag & ST_NOSUID) && (vfs.f_flag & ST_NODEV),
                  "nosuid, nodev");
            return check.failures;
          }) == 0);
    CHECK(entries(t / "scratch") == std::set<std::string>{"existing"});
  }

  TEST_CASE("minimal_dev: exactly the expected nodes, and they work") {
    const OsSpec spec = spec_of({mount_of(MountKind::MinimalDev, "/dev")});
    CHECK(in_private_mount_ns([&] {
            ChildChecks check;
            const MountReport report = apply_mounts(spec, {});
            check(report.applied() == 1, "applied");
            const std::set<std::string> expected = {"fd",     "full",  "null",   "ptmx", "pts",     "random", "shm",
                                                    "stderr", "stdin", "stdout", "tty",  "urandom", "zero"};
            check(entries("/dev") == expected, "exactly the expected entries");
            for (const char* name : {"null", "zero", "full", "random", "urandom", "tty"}) {
              struct stat st {};
              check(stat((std::string("/dev/") + name).c_str(), &st) == 0 && S_ISCHR(st.st_mode),
                    std::string("/dev/") + name + " is a character device");
            }
            test::write_file("/dev/null", "discarded");
            check(test::read_file("/dev/null").empty(), "/dev/null reads empty after a write");
            const int zero = open("/dev/zero", O_RDONLY);
            char bytes[4] = {1, 1, 1, 1};
            check(zero >= 0 && read(zero, bytes, 4) == 4 && bytes[0] == 0 && bytes[3] == 0, "/dev/zero gives zeros");
            close(zero);
            check(open_errno("/dev/full", O_WRONLY) == 0, "/dev/full opens");
            const int full = open("/dev/full", O_WRONLY);
            check(write(full, "x", 1) < 0 && errno == ENOSPC, "/dev/full is full");
            close(full);
            char target[64] = {};
            check(readlink("/dev/ptmx", target, sizeof target - 1) > 0 && std::string(target) == "pts/ptmx",
                  "ptmx link");
            const int master = posix_openpt(O_RDWR | O_NOCTTY);
            check(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0, "a pseudo-terminal opens");
            if (master >= 0) {
              const char* slave = ptsname(master);
              check(slave && std::string(slave) == "/dev/pts/0", "in a new devpts instance (pts/0)");
              close(master);
            }
            struct statfs fs {};
            check(statfs("/dev/pts", &fs) == 0 && fs.f_type == DEVPTS_SUPER_MAGIC, "/dev/pts is devpts");
            check(statfs("/dev/shm", &fs) == 0 && fs.f_type == TMPFS_MAGIC, "/dev/shm is a tmpfs");
            struct stat st {};
            check(stat("/dev/shm", &st) == 0 && (st.st_mode & 07777) == 01777, "/dev/shm is 1777");
            check(stat("/dev", &st) == 0 && (st.st_mode & 07777) == 0755, "/dev is 0755");
            struct statvfs vfs {};
            check(statvfs("/dev", &vfs) == 0 && (vfs.f_flag & ST_NOSUID) && (vfs.f_flag & ST_NOEXEC), "nosuid, noexec");
            check(readlink("/dev/stdin", target, sizeof target - 1) > 0 && std::string(target) == "/proc/self/fd/0",
                  "stdin link");
            return check.failures;
          }) == 0);
  }

  TEST_CASE("a symbolic link anywhere in a path refuses") {
    TempDir t;
    REQUIRE(mkdir((t / "real").c_str(), 0755) == 0);
    test::write_file(t / "real/file", "x");
    REQUIRE(symlink((t / "real").c_str(), (t / "link").c_str()) == 0);
    REQUIRE(symlink("file", (t / "real/filelink").c_str()) == 0);
    for (MountKind kind : {MountKind::ReadOnly, MountKind::Hide, MountKind::NoExec, MountKind::Tmpfs}) {
      CAPTURE(static_cast<int>(kind));
      CHECK(refusal_in_child(spec_of({mount_of(kind, t / "link/file")})).find("symbolic link") != std::string::npos);
      CHECK(refusal_in_child(spec_of({mount_of(kind, t / "link")})).find("symbolic link") != std::string::npos);
      CHECK(refusal_in_child(spec_of({mount_of(kind, t / "real/filelink")})).find("symbolic link") !=
            std::string::npos);
    }
    CHECK(refusal_in_child(spec_of({mount_of(MountKind::ReadOnly, t / "missing")})).find("cannot open") !=
          std::string::npos);
  }

  TEST_CASE("in order: a mask beneath a read-only parent") {
    TempDir t;
    REQUIRE(mkdir((t / "p").c_str(), 0755) == 0);
    REQUIRE(mkdir((t / "p/deny").c_str(), 0755) == 0);
    test::write_file(t / "p/deny/k", "k");
    test::write_file(t / "p/ok", "ok");
    const OsSpec spec = spec_of({mount_of(MountKind::ReadOnly, t / "p"), mount_of(MountKind::Hide, t / "p/deny")});
    CHECK(in_private_mount_ns([&] {
            ChildChecks check;
            const MountReport report = apply_mounts(spec, {});
            check(report.summary() == "readonly " + (t / "p") + ", hide " + (t / "p/deny"),
                  "summary: " + report.summary());
            check(entries(t / "p/deny").empty(), "masked");
            check(test::read_file(t / "p/ok") == "ok", "sibling reads");
            check(open_errno(t / "p/ok", O_WRONLY) == EROFS, "read-only");
            return check.failures;
          }) == 0);
  }

  TEST_CASE("mount_proc: the new PID namespace's processes only") {
    CHECK(in_private_mount_ns([&] {
            ChildChecks check;
            check(unshare(CLONE_NEWPID) == 0, "unshare(CLONE_NEWPID)");
            const pid_t init = fork();
            if (init == 0) {
              ChildChecks inner;
              mount_proc();
              char self[32] = {};
              inner(readlink("/proc/self", self, sizeof self - 1) > 0 && std::string(self) == "1", "/proc/self is 1");
              std::set<std::string> pids;
              for (const std::string& e : entries("/proc"))
                if (e.find_first_not_of("0123456789") == std::string::npos) pids.insert(e);
              inner(pids == std::set<std::string>{"1"}, "only PID 1 is listed");
              struct statvfs vfs {};
              inner(statvfs("/proc", &vfs) == 0 && (vfs.f_flag & ST_NOSUID) && (vfs.f_flag & ST_NODEV) &&
                        (vfs.f_flag & ST_NOEXEC),
                    "nosuid, nodev, noexec");
              _exit(inner.failures);
            }
            int status = 0;
            waitpid(init, &status, 0);
            check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the namespace's init saw its own /proc");
            return check.failures;
          }) == 0);
  }
}

}  // namespace
}  // namespace polc::launcher::os
