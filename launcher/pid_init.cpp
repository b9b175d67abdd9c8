// Stage: launcher. The pid namespace's init (pid_init.h).
#include "launcher/pid_init.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "launcher/errors.h"

namespace polc::launcher {

void become_init(int launch_fd, int status_fd, int lifeline_fd) {
  // Before the fork, so that no payload runs under an init that could outlive the supervisor.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    throw Failure(ExitCode::ApplyFailed, "prctl(PR_SET_PDEATHSIG) in the pid namespace's init: " + errno_text(errno));
  pollfd lifeline{lifeline_fd, POLLIN, 0};
  if (poll(&lifeline, 1, 0) > 0 && (lifeline.revents & (POLLHUP | POLLERR)))
    _exit(static_cast<int>(ExitCode::ApplyFailed));
  const pid_t payload = fork();
  if (payload < 0) throw Failure(ExitCode::ApplyFailed, "fork in the pid namespace's init: " + errno_text(errno));
  if (payload == 0) {
    close(status_fd);
    close(lifeline_fd);
    return;
  }
  close(launch_fd);
  prctl(PR_SET_NAME, "sbx-exec-init", 0, 0, 0);
  for (;;) {
    int status = 0;
    const pid_t ended = waitpid(-1, &status, __WALL);
    if (ended == payload) {
      ssize_t ignored = ::write(status_fd, &status, sizeof status);
      (void)ignored;
      _exit(0);
    }
    if (ended < 0 && errno != EINTR) _exit(static_cast<int>(ExitCode::ApplyFailed));  // ECHILD: cannot happen
  }
}

}  // namespace polc::launcher
