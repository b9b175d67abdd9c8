// The OS layer's kernel tests (launcher/os): helpers. Every test that mounts does it in a forked
// child that first made its own private mount namespace, so nothing it mounts is ever seen by this
// machine's; every temporary directory is made under /tmp and removed by its owner.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace polc::launcher::os::test {

using polc::test::TempDir;

// Runs `body` in a forked child that did unshare(CLONE_NEWNS) and made / private (recursively).
// The child's exit status is what `body` returns (0: all its checks held); an exception in the
// child is printed and gives 99. Returns the status (128 + N for a signal N).
int in_private_mount_ns(const std::function<int()>& body);

// Inside a child: prints "check failed: <what>" to stderr and counts it.
struct ChildChecks {
  int failures = 0;
  void operator()(bool ok, const std::string& what);
};

// One line per entry beneath `root` (sorted, relative paths): type, mode, owner, size, a hash of
// the contents or the link's target, the modification time of everything but directories, and of
// directories too when `directory_times`. Two trees with equal listings are equal for the tests.
std::string tree_listing(const std::string& root, bool directory_times);

void write_file(const std::string& path, const std::string& contents, mode_t mode = 0644);
std::string read_file(const std::string& path);
// Runs `/bin/sh -c script sh args...` and returns its exit status.
int run_shell(const std::string& script, const std::vector<std::string>& args = {});
// True when `path` is a mount point in the calling process's mount namespace.
bool is_mount_point(const std::string& path);

}  // namespace polc::launcher::os::test
