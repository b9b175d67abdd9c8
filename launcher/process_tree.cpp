// Stage: launcher. Subreaping and killing the payload's tree (process_tree.h).
#include "launcher/process_tree.h"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/posix/clock.h"
#include "launcher/errors.h"

namespace polc::launcher {

namespace {

// The calling process's children: /proc/self/task/TID/children (the supervisor has one thread).
std::vector<pid_t> children() {
  std::vector<pid_t> out;
  std::ifstream list("/proc/self/task/" + std::to_string(getpid()) + "/children");
  pid_t pid = 0;
  while (list >> pid) out.push_back(pid);
  return out;
}

// Reaps every child that has exited; true when there is no child left at all.
bool reap_exited() {
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
    if (pid > 0) continue;
    return pid < 0 && errno == ECHILD;
  }
}

}  // namespace

void become_subreaper() {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    throw Failure(ExitCode::ApplyFailed, "prctl(PR_SET_CHILD_SUBREAPER) failed: " + errno_text(errno));
}

size_t kill_process_tree(pid_t group, int timeout_ms) {
  if (group > 0) kill(-group, SIGKILL);
  const int64_t deadline = clock_ms() + timeout_ms;
  useconds_t pause = 200;
  for (;;) {
    if (reap_exited()) return 0;
    // SIGKILL cannot be caught or ignored, and a killed process forks no more: each round leaves
    // only children reparented here since the last one.
    const std::vector<pid_t> left = children();
    for (pid_t pid : left) kill(pid, SIGKILL);
    if (clock_ms() >= deadline) return left.empty() ? 1 : left.size();
    usleep(pause);
    if (pause < 20000) pause *= 2;
  }
}

}  // namespace polc::launcher
