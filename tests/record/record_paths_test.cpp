// Path resolution for recorded file accesses (launcher/record/tracee_paths.h): the rules that
// make a path the one Landlock decides on, and only by those rules.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "launcher/record/tracee_paths.h"
#include "record_harness.h"

namespace polc::record::test {

TEST_CASE("lexically_normal: no //, . or ..; .. stops at /") {
  CHECK(lexically_normal("/") == "/");
  CHECK(lexically_normal("//a//b/") == "/a/b");
  CHECK(lexically_normal("/a/./b/../c") == "/a/c");
  CHECK(lexically_normal("/../../a") == "/a");
  CHECK(lexically_normal("/a/b/../..") == "/");
  // Bytes are kept as they are: a newline or a byte that is not UTF-8 is just part of a name.
  CHECK(lexically_normal("/a/x\ny\xff/./z") == "/a/x\ny\xff/z");
  CHECK(parent_of("/a/b") == "/a");
  CHECK(parent_of("/a") == "/");
  CHECK(parent_of("/") == "/");
}

TEST_CASE("resolve_path: links followed as far as the path exists, the rest appended") {
  TempDir dir;
  REQUIRE(mkdir((dir / "real").c_str(), 0700) == 0);
  REQUIRE(symlink((dir / "real").c_str(), (dir / "alias").c_str()) == 0);
  const pid_t self = getpid();
  CHECK(resolve_path(self, kAtFdcwd, dir / "alias/missing/../x", true) == dir / "real/x");
  CHECK(resolve_path(self, kAtFdcwd, dir / "alias", true) == dir / "real");
  // The entry itself (unlink, rename, mkdir): its directory resolved, its own name kept.
  CHECK(resolve_path(self, kAtFdcwd, dir / "alias", false) == dir / "alias");
  CHECK(resolve_path(self, kAtFdcwd, dir / "alias/new", false) == dir / "real/new");
  // /proc/self is the caller's directory in /proc.
  CHECK(resolve_path(self, kAtFdcwd, "/proc/self/./fd", true) == "/proc/" + std::to_string(self) + "/fd");
}

TEST_CASE("resolve_path: the caller's magic links are followed; one to a pipe names no path") {
  TempDir dir;
  const pid_t self = getpid();
  const int file = open((dir / "file").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  REQUIRE(file >= 0);
  int pipe_fds[2];
  REQUIRE(pipe2(pipe_fds, O_CLOEXEC) == 0);
  const std::string n = std::to_string(file), p = std::to_string(pipe_fds[0]);
  CHECK(resolve_path(self, kAtFdcwd, "/proc/self/fd/" + n, true) == dir / "file");
  CHECK(resolve_path(self, kAtFdcwd, "/dev/fd/" + n, true) == dir / "file");
  REQUIRE(symlink(("/proc/self/fd/" + n).c_str(), (dir / "link").c_str()) == 0);
  CHECK(resolve_path(self, kAtFdcwd, dir / "link", true) == dir / "file");
  for (const std::string& path : {"/proc/self/fd/" + p, "/dev/fd/" + p, "/proc/thread-self/fd/" + p}) {
    bool not_path = false;
    CHECK_FALSE(resolve_path(self, kAtFdcwd, path, true, &not_path));
    CHECK(not_path);
  }
  // Relative to a dirfd that is not open or is a pipe: the call fails, it names no path.
  for (const int dirfd : {pipe_fds[0], 1000}) {
    bool not_path = false;
    CHECK_FALSE(resolve_path(self, dirfd, "x", true, &not_path));
    CHECK(not_path);
  }
  close(file);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

TEST_CASE("a link into /proc/self is the workload's, not the supervisor's") {
  TempDir dir;
  REQUIRE(mkdir((dir / "work").c_str(), 0700) == 0);
  std::ofstream(dir / "work/secret") << "x";
  REQUIRE(symlink("/proc/self/cwd/secret", (dir / "l").c_str()) == 0);
  const Recorded r = record({kWorkload, "cd", dir / "work", "read", dir / "l", "read", "/proc/self/cwd/secret"});
  CHECK(r.run.exit_code == 0);
  const learn::Seen* seen = find(r.recording, learn::FileAccess{dir / "work/secret", "read_file", learn::FileAccess::Kind::File});
  REQUIRE(seen);
  CHECK(seen->count == 2);  // through the planted link and through /proc/self directly
}

TEST_CASE("unlink of a symbolic link: remove_file on the link, not on its target") {
  TempDir dir;
  std::ofstream(dir / "target") << "x";
  REQUIRE(symlink((dir / "target").c_str(), (dir / "link").c_str()) == 0);
  const Recorded r = record({kWorkload, "unlink", dir / "link"});
  CHECK(r.run.exit_code == 0);
  CHECK(find(r.recording, learn::FileAccess{dir / "link", "remove_file", learn::FileAccess::Kind::Other}));
  CHECK_FALSE(has_access(r.recording, dir / "target", "remove_file"));
}

}  // namespace polc::record::test
