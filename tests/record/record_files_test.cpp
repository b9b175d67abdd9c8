// File accesses as the recorder decodes them from real calls: each with the Landlock right it
// needs, on the path Landlock decides on (absolute, normal, symbolic links resolved).
#include <doctest/doctest.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "record_harness.h"

namespace polc::record::test {

using Kind = learn::FileAccess::Kind;

namespace {

void touch(const std::string& path) { std::ofstream(path) << "x"; }

std::string real(const std::string& path) {
  char buffer[PATH_MAX];
  REQUIRE(realpath(path.c_str(), buffer) != nullptr);
  return buffer;
}

}  // namespace

TEST_CASE("openat O_RDONLY of a file: read_file; of a directory: read_dir") {
  TempDir dir;
  touch(dir / "data");
  const Recorded r = record({kWorkload, "read", dir / "data", "read", dir.path()});
  CHECK(find(r.recording, learn::FileAccess{dir / "data", "read_file", Kind::File}));
  CHECK(find(r.recording, learn::FileAccess{dir.path(), "read_dir", Kind::Directory}));
  CHECK_FALSE(has_access(r.recording, dir / "data", "write_file"));
}

TEST_CASE("a write that creates its file: write_file and make_reg on the new entry") {
  TempDir dir;
  const Recorded r = record({kWorkload, "write", dir / "new"});
  CHECK(r.run.exit_code == 0);
  CHECK(find(r.recording, learn::FileAccess{dir / "new", "write_file", Kind::Missing}));
  CHECK(find(r.recording, learn::FileAccess{dir / "new", "make_reg", Kind::Missing}));
  // Written again, the file exists: no make_reg.
  const Recorded again = record({kWorkload, "write", dir / "new"});
  CHECK(find(again.recording, learn::FileAccess{dir / "new", "write_file", Kind::File}));
  CHECK_FALSE(has_access(again.recording, dir / "new", "make_reg"));
}

TEST_CASE("mkdir, unlink and rename: make_dir, remove_file, and remove/make on both entries") {
  TempDir dir;
  touch(dir / "old");
  touch(dir / "gone");
  REQUIRE(mkdir((dir / "sub").c_str(), 0700) == 0);
  const Recorded r = record({kWorkload, "mkdir", dir / "made", "unlink", dir / "gone", "rename", dir / "old",
                             dir / "sub/new"});
  CHECK(r.run.exit_code == 0);
  CHECK(find(r.recording, learn::FileAccess{dir / "made", "make_dir", Kind::Missing}));
  CHECK(find(r.recording, learn::FileAccess{dir / "gone", "remove_file", Kind::File}));
  CHECK(find(r.recording, learn::FileAccess{dir / "old", "remove_file", Kind::File}));
  CHECK(find(r.recording, learn::FileAccess{dir / "sub/new", "make_reg", Kind::Missing}));
  // Different directories: refer on both entries.
  CHECK(find(r.recording, learn::FileAccess{dir / "old", "refer", Kind::File}));
  CHECK(find(r.recording, learn::FileAccess{dir / "sub/new", "refer", Kind::Missing}));
}

TEST_CASE("exec: the program, execute and read_file on it and on its loader") {
  const std::string true_path = real("/bin/true");
  const Recorded r = record({kWorkload, "exec", "/bin/true"});
  CHECK(r.run.exit_code == 0);
  CHECK(find(r.recording, learn::Exec{true_path}));
  CHECK(find(r.recording, learn::FileAccess{true_path, "execute", Kind::File}));
  CHECK(find(r.recording, learn::FileAccess{true_path, "read_file", Kind::File}));
  const std::string loader = real("/lib64/ld-linux-x86-64.so.2");
  CHECK(find(r.recording, learn::FileAccess{loader, "execute", Kind::File}));
  CHECK(calls_named(r.recording, "execve") == 2);
}

TEST_CASE("a script: the script and the interpreter of its #! line are executed") {
  TempDir dir;
  std::ofstream(dir / "script.sh") << "#!/bin/sh\nexit 4\n";
  REQUIRE(chmod((dir / "script.sh").c_str(), 0755) == 0);
  const Recorded r = record({dir / "script.sh"});
  CHECK(r.run.exit_code == 4);
  CHECK(find(r.recording, learn::Exec{dir / "script.sh"}));
  CHECK(find(r.recording, learn::FileAccess{dir / "script.sh", "execute", Kind::File}));
  CHECK(find(r.recording, learn::Exec{real("/bin/sh")}));
  CHECK(has_access(r.recording, real("/bin/sh"), "execute"));
}

TEST_CASE("relative paths start at the working directory; symbolic links are resolved") {
  TempDir dir;
  touch(dir / "target");
  REQUIRE(symlink((dir / "target").c_str(), (dir / "link").c_str()) == 0);
  char previous[PATH_MAX];
  REQUIRE(getcwd(previous, sizeof previous) != nullptr);
  REQUIRE(chdir(dir.path().c_str()) == 0);
  const Recorded r = record({kWorkload, "read", "./link", "write", "sub/../fresh"});
  REQUIRE(chdir(previous) == 0);
  CHECK(r.run.cwd == dir.path());
  CHECK(find(r.recording, learn::FileAccess{dir / "target", "read_file", Kind::File}));
  CHECK_FALSE(has_access(r.recording, dir / "link", "read_file"));
  // sub does not exist: the kernel fails the open, the path is still recorded as normal.
  CHECK(has_access(r.recording, dir / "fresh", "write_file"));
}

TEST_CASE("link, symlink, mkfifo and truncate: make_reg and refer, make_sym, make_fifo, truncate") {
  TempDir dir;
  touch(dir / "file");
  REQUIRE(mkdir((dir / "sub").c_str(), 0700) == 0);
  char previous[PATH_MAX];
  REQUIRE(getcwd(previous, sizeof previous) != nullptr);
  REQUIRE(chdir(dir.path().c_str()) == 0);
  const Recorded in_dir = record({"sh", "-c", "ln file sub/hard && ln -s file soft && mkfifo fifo && truncate -s 0 file"});
  REQUIRE(chdir(previous) == 0);
  CHECK(in_dir.run.exit_code == 0);
  CHECK(has_access(in_dir.recording, dir / "sub/hard", "make_reg"));
  CHECK(has_access(in_dir.recording, dir / "sub/hard", "refer"));
  CHECK(has_access(in_dir.recording, dir / "file", "refer"));
  CHECK(has_access(in_dir.recording, dir / "soft", "make_sym"));
  CHECK(has_access(in_dir.recording, dir / "fifo", "make_fifo"));
  CHECK(has_access(in_dir.recording, dir / "file", "truncate"));
}

TEST_CASE("paths through /proc/self name the workload's process, not the recorder's") {
  TempDir dir;
  std::ofstream(dir / "input") << "x";
  const Recorded r = record({"sh", "-c", "exec " + kWorkload + " read /proc/self/status read /dev/stdin < " + dir / "input"});
  CHECK(r.run.exit_code == 0);
  // Its own PID: the process sh became by exec, the one that made the calls.
  bool status_of_workload = false;
  for (const auto& [event, seen] : r.recording.events)
    if (const auto* a = std::get_if<learn::FileAccess>(&event); a && a->right == "read_file")
      status_of_workload |= a->path.rfind("/proc/", 0) == 0 && a->path.size() > 13 &&
                            a->path.compare(a->path.size() - 7, 7, "/status") == 0 &&
                            a->path.find("/proc/" + std::to_string(getpid()) + "/") != 0;
  CHECK(status_of_workload);
  CHECK_FALSE(has_access(r.recording, "/proc/self/status", "read_file"));
  // /dev/stdin is what the workload's descriptor 0 is.
  CHECK(has_access(r.recording, dir / "input", "read_file"));
}

TEST_CASE("ioctl on a character device: ioctl_dev on the device") {
  const Recorded r = record({"sh", "-c", "stty -F /dev/null 2>/dev/null; true"});
  CHECK(has_access(r.recording, "/dev/null", "ioctl_dev"));
}

}  // namespace polc::record::test
