// Stage: launcher. The supervisor's loop (supervisor.h).
#include "launcher/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "compiler/posix/clock.h"
#include "compiler/posix/unique_fd.h"
#include "launcher/errors.h"
#include "launcher/process_tree.h"

namespace polc::launcher {

namespace {

// Signals the caller may send the launcher, relayed to the payload's process group. SIGTSTP
// (Ctrl-Z) becomes SIGSTOP: the payload's group is orphaned (its session is its own), and the
// kernel discards terminal stop signals sent to orphaned groups.
constexpr int kRelayed[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGTSTP};
constexpr int kTreeKillMs = 2000;
constexpr int kSyncMs = 1000;
constexpr int64_t kMaxSyncMs = 30000;

[[noreturn]] void failed(const std::string& what) {
  throw Failure(ExitCode::ApplyFailed, "supervisor: " + what + ": " + errno_text(errno));
}

void relay(pid_t payload, int sig, const std::vector<telemetry::Source*>& sources, const RunCgroup* cgroup) {
  // Ctrl-Z: the whole tree is frozen where the run has a cgroup (the payload's process group alone
  // misses a child in a session of its own).
  const bool frozen = sig == SIGTSTP && cgroup && cgroup->freeze(true);
  if (!frozen) {
    const int sent = sig == SIGTSTP ? SIGSTOP : sig;
    if (kill(-payload, sent) != 0) kill(payload, sent);
  }
  if (sig != SIGTSTP) return;
  // The caller's shell sees the job stop; SIGCONT resumes both. Nothing the host waits on is held
  // meanwhile (audit's registration).
  for (telemetry::Source* s : sources) s->pause();
  kill(getpid(), SIGSTOP);
  for (telemetry::Source* s : sources) s->resume();
  if (frozen) cgroup->freeze(false);
}

PayloadEnd ended(int status) {
  PayloadEnd end;
  if (WIFSIGNALED(status)) {
    end.signal = WTERMSIG(status);
    end.core_dumped = WCOREDUMP(status);
    end.exit_code = 128 + *end.signal;
  } else {
    end.exit_code = WEXITSTATUS(status);
  }
  return end;
}

}  // namespace

int end_like_payload(const PayloadEnd& end) {
  if (!end.signal) return end.exit_code;
  const int sig = *end.signal;
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  sigprocmask(SIG_UNBLOCK, &only, nullptr);
  raise(sig);
  return end.exit_code;
}

size_t Supervisor::read_sources(bool drain) {
  std::vector<telemetry::Event> events;
  for (telemetry::Source* s : sources_) {
    // Bounded rounds even when draining: a source is read until it has nothing more or 64 rounds.
    for (int round = 0; round < (drain ? 64 : 1); ++round) {
      const size_t before = events.size();
      s->read_available(events);
      if (events.size() == before && drain) break;
    }
  }
  for (const telemetry::Event& e : events) reporter_.report(e);
  return events.size();
}

void Supervisor::sync_sources(int timeout_ms) {
  for (telemetry::Source* s : sources_) s->begin_sync();
  // `timeout_ms` without progress; while events keep coming (a flood still queued in the kernel),
  // up to kMaxSyncMs in all. What is left then is counted as lost by the sources.
  const int64_t start = clock_ms();
  int64_t deadline = start + timeout_ms;
  for (;;) {
    if (read_sources(true) > 0) deadline = std::min(clock_ms() + timeout_ms, start + kMaxSyncMs);
    bool all = true;
    std::vector<pollfd> fds;
    for (telemetry::Source* s : sources_) {
      if (s->synced()) continue;
      all = false;
      if (s->fd() >= 0) fds.push_back({s->fd(), POLLIN, 0});
    }
    const int64_t left = deadline - clock_ms();
    if (all || left <= 0) return;
    poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(left, 50)));
  }
}

PayloadEnd Supervisor::run(const std::function<void(int launch_fd)>& child) {
  sigset_t relayed, saved;
  sigemptyset(&relayed);
  sigaddset(&relayed, SIGCHLD);
  for (int sig : kRelayed) sigaddset(&relayed, sig);
  // SIGPIPE too, but not relayed: an --events reader that went away must not kill the supervisor
  // (the write fails with EPIPE instead); the payload's own mask is restored before exec.
  sigset_t blocked = relayed;
  sigaddset(&blocked, SIGPIPE);
  if (sigprocmask(SIG_BLOCK, &blocked, &saved) != 0) failed("sigprocmask");
  UniqueFd signals(signalfd(-1, &relayed, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals.valid()) failed("signalfd");
  int launch_pipe[2];
  if (pipe2(launch_pipe, O_CLOEXEC) != 0) failed("pipe2");
  UniqueFd launch_read(launch_pipe[0]), launch_write(launch_pipe[1]);
  become_subreaper();

  const pid_t payload = fork();
  if (payload < 0) failed("fork");
  if (payload == 0) {
    sigprocmask(SIG_SETMASK, &saved, nullptr);
    signals.reset();
    launch_read.reset();
    // A session of its own: no controlling terminal to push input into, and a process group
    // the supervisor relays signals to.
    if (setsid() < 0) _exit(static_cast<int>(ExitCode::ApplyFailed));
    child(launch_write.get());
    _exit(static_cast<int>(ExitCode::ApplyFailed));  // `child` must not return
  }
  launch_write.reset();
  // Not dumpable: a process of the same uid can neither ptrace the supervisor nor read its memory.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  PayloadEnd end;
  std::optional<int> status;
  std::string launch_bytes;
  auto started = [&] {
    if (launch_bytes.empty() || launch_bytes[0] != kLaunchExec) return;
    for (telemetry::Source* s : sources_) s->payload_started(payload, launch_bytes.substr(1));
  };
  auto read_launch = [&] {
    char buffer[4096];
    const ssize_t n = read(launch_read.get(), buffer, sizeof buffer);
    if (n > 0) launch_bytes.append(buffer, static_cast<size_t>(n));
    else if (n == 0 || errno != EINTR) launch_read.reset();
  };
  while (!status) {
    std::vector<pollfd> fds{{signals.get(), POLLIN, 0}};
    if (launch_read.valid()) fds.push_back({launch_read.get(), POLLIN, 0});
    for (telemetry::Source* s : sources_)
      if (s->fd() >= 0) fds.push_back({s->fd(), POLLIN, 0});
    if (poll(fds.data(), fds.size(), 250) < 0 && errno != EINTR) failed("poll");

    signalfd_siginfo info{};
    while (read(signals.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      if (static_cast<int>(info.ssi_signo) != SIGCHLD)
        relay(payload, static_cast<int>(info.ssi_signo), sources_, cgroup_);
    }
    // The launch pipe before reaping: the sources learn that the payload started before they read
    // anything it caused.
    if (launch_read.valid() && fds[1].revents) {
      read_launch();
      if (!launch_read.valid()) started();
    }
    // Reap whatever exited among descendants reparented here; the payload itself is only looked
    // at (WNOWAIT): while it is an unreaped zombie its pid, which is also its process group's id,
    // cannot be reused, so the kill of that group at the end reaches no stranger.
    for (;;) {
      siginfo_t exited{};
      if (waitid(P_ALL, 0, &exited, WEXITED | WNOHANG | WNOWAIT | __WALL) != 0 || exited.si_pid == 0) break;
      if (exited.si_pid == payload) {
        status = exited.si_code == CLD_EXITED
                     ? W_EXITCODE(exited.si_status, 0)
                     : W_EXITCODE(0, exited.si_status) | (exited.si_code == CLD_DUMPED ? 0x80 : 0);
        break;
      }
      waitpid(exited.si_pid, nullptr, WNOHANG | __WALL);
    }
    read_sources(true);  // non-blocking, bounded; sources without a descriptor are polled on this timer
  }
  // The payload's process closed its end when it exec'd or exited; nothing else holds it.
  if (launch_read.valid()) {
    while (launch_read.valid()) read_launch();
    started();
  }
  const int main_status = *status;
  // The cgroup first: it holds every process the payload started, however fast it forks.
  size_t left = cgroup_ ? cgroup_->kill_all(kTreeKillMs) : 0;
  left += kill_process_tree(payload, kTreeKillMs);
  sync_sources(kSyncMs);
  for (telemetry::Source* s : sources_) reporter_.lost(s->name(), s->lost());
  end = ended(main_status);
  end.launched = !launch_bytes.empty() && launch_bytes[0] == kLaunchExec;
  if (!launch_bytes.empty()) end.launch_report = launch_bytes.substr(1);
  end.left_running = left;
  return end;
}

}  // namespace polc::launcher
