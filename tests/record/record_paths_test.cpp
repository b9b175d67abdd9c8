// Path resolution for recorded file accesses (launcher/record/tracee_paths.h): the rules that
// make a path the one Landlock decides on, and only by those rules.
#include <doctest/doctest.h>
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
  // Per-process paths are only normalized.
  CHECK(resolve_path(self, kAtFdcwd, "/proc/self/./fd", true) == "/proc/self/fd");
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
