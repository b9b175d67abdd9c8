// Shared by the launcher's supervisor (sbx-exec) and polc learn's recorder: a supervisor that is
// the child subreaper of its payload's tree, so every orphaned descendant is reparented to it
// (whatever process group or session it moved to), and that ends with nothing of the tree left.
#pragma once

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/posix/clock.h"

namespace polc::posix {

// PR_SET_CHILD_SUBREAPER on the calling process. False when the kernel refuses.
inline bool become_subreaper() { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0; }

// The children of every thread of the calling process (/proc/self/task/*/children).
inline std::vector<pid_t> children_of_self() {
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
inline bool reap_exited_children() {
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
    if (pid > 0) continue;
    return pid < 0 && errno == ECHILD;
  }
}

// SIGKILLs the process group `group` (when > 0) and every child of the calling process (and so,
// round by round as each dies and its own children are reparented here, every descendant),
// reaping them, for at most `timeout_ms`. Returns how many were still there at the deadline (0:
// none left). SIGKILL cannot be caught or ignored, and a killed process forks no more: each round
// leaves only children reparented since the last.
inline size_t kill_descendants(pid_t group, int timeout_ms) {
  if (group > 0) kill(-group, SIGKILL);
  const int64_t deadline = clock_ms() + timeout_ms;
  useconds_t pause = 100;
  for (;;) {
    if (reap_exited_children()) return 0;
    const std::vector<pid_t> left = children_of_self();
    for (pid_t pid : left) kill(pid, SIGKILL);
    if (clock_ms() >= deadline) return left.empty() ? 1 : left.size();
    usleep(pause);
    if (pause < 20000) pause *= 2;
  }
}

}  // namespace polc::posix
