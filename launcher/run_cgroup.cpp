// Stage: launcher. The run's cgroup (run_cgroup.h).
#include "launcher/run_cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "compiler/posix/clock.h"

namespace polc::launcher {

namespace {

// The mount point of the cgroup2 hierarchy, from /proc/self/mountinfo ("" when none is mounted).
std::string cgroup2_mount() {
  std::ifstream info("/proc/self/mountinfo");
  std::string line;
  while (std::getline(info, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
    const size_t dash = line.find(" - ");
    if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line.substr(0, dash));
    std::string id, parent, dev, root, mount;
    if (fields >> id >> parent >> dev >> root >> mount && root == "/") return mount;
  }
  return "";
}

// This process's cgroup2 path ("0::/PATH" in /proc/self/cgroup).
std::string own_cgroup() {
  std::ifstream groups("/proc/self/cgroup");
  std::string line;
  while (std::getline(groups, line))
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  return "";
}

size_t members(const std::string& path) {
  std::ifstream procs(path + "/cgroup.procs");
  size_t n = 0;
  pid_t pid = 0;
  while (procs >> pid) ++n;
  return n;
}

}  // namespace

std::unique_ptr<RunCgroup> RunCgroup::create(std::string& why_not) {
  const std::string mount = cgroup2_mount();
  const std::string own = own_cgroup();
  if (mount.empty() || own.empty()) {
    why_not = "no cgroup2 hierarchy";
    return nullptr;
  }
  const std::string path = mount + (own == "/" ? "" : own) + "/polc-run-" + std::to_string(getpid());
  if (mkdir(path.c_str(), 0700) != 0) {
    why_not = "cannot create " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  UniqueFd procs(open((path + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!procs.valid() || access((path + "/cgroup.kill").c_str(), W_OK) != 0) {
    why_not = "cannot use " + path + " (cgroup.kill needs Linux 5.14): " + std::strerror(errno);
    rmdir(path.c_str());
    return nullptr;
  }
  return std::unique_ptr<RunCgroup>(new RunCgroup(path, std::move(procs)));
}

RunCgroup::~RunCgroup() {
  procs_.reset();
  rmdir(path_.c_str());
}

bool RunCgroup::enter() const {
  // "0": the writing process itself.
  return ::write(procs_.get(), "0", 1) == 1;
}

bool RunCgroup::freeze(bool frozen) const {
  const UniqueFd control(open((path_ + "/cgroup.freeze").c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  return control.valid() && ::write(control.get(), frozen ? "1" : "0", 1) == 1;
}

size_t RunCgroup::kill_all(int timeout_ms) const {
  const UniqueFd kill(open((path_ + "/cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (kill.valid()) {
    ssize_t ignored = ::write(kill.get(), "1", 1);
    (void)ignored;
  }
  const int64_t deadline = clock_ms() + timeout_ms;
  for (;;) {
    const size_t left = members(path_);
    if (left == 0 || clock_ms() >= deadline) return left;
    usleep(1000);
  }
}

}  // namespace polc::launcher
