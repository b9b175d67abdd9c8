// Stage: launcher (learning). Subreaping and killing what the workload left (workload_tree.h).
#include "launcher/record/workload_tree.h"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/posix/clock.h"

namespace polc::record {

namespace {

// The children of every thread of the calling process (/proc/self/task/*/children).
std::vector<pid_t> children() {
  std::vector<pid_t> out;
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) return out;
  while (const dirent* e = readdir(tasks)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream list(std::string("/proc/self/task/") + e->d_name + "/children");
    pid_t pid = 0;
    while (list >> pid) out.push_back(pid);
  }
  closedir(tasks);
  return out;
}

// Reaps every child that has exited; true when no child is left at all.
bool reap_exited() {
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
    if (pid > 0) continue;
    return pid < 0 && errno == ECHILD;
  }
}

}  // namespace

bool become_subreaper() { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0; }

size_t kill_descendants(int timeout_ms) {
  const int64_t deadline = clock_ms() + timeout_ms;
  useconds_t pause = 100;
  for (;;) {
    if (reap_exited()) return 0;
    // A killed process forks no more: each round leaves only children reparented since the last.
    const std::vector<pid_t> left = children();
    for (pid_t pid : left) kill(pid, SIGKILL);
    if (clock_ms() >= deadline) return left.empty() ? 1 : left.size();
    usleep(pause);
    if (pause < 20000) pause *= 2;
  }
}

}  // namespace polc::record
