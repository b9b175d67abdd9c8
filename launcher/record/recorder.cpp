// Stage: launcher (learning). A recorded run, start to end (recorder.h): spawn the workload under
// the notifying filter, then one loop over the listener (every call), the main process's pidfd
// (its end), a signalfd (SIGINT/SIGTERM) and a timerfd (the timeout), until the listener reports
// that no process of the workload is left.
#include "launcher/record/recorder.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <sstream>

#include "compiler/posix/clock.h"
#include "launcher/record/call_recorder.h"
#include "launcher/record/notify_filter.h"
#include "launcher/record/spawn_workload.h"
#include "compiler/posix/process_tree.h"

namespace polc::record {

namespace {

// After the main process exited: how long the leftovers get to die and the listener to hang up.
constexpr int kEndWaitMs = 10000;
constexpr int kEndRoundMs = 100;

std::string seconds_text(double seconds) {
  std::ostringstream out;
  out << seconds;
  return out.str();
}

std::string current_directory() {
  char buffer[PATH_MAX];
  return getcwd(buffer, sizeof buffer) ? std::string(buffer) : std::string();
}

// SIGINT and SIGTERM blocked (read from a signalfd instead) while the workload runs; the old mask
// back, and what is pending of them dropped, at the end.
class InterruptGuard {
 public:
  InterruptGuard() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigprocmask(SIG_BLOCK, &set_, &old_);
    fd_.reset(signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK));
  }
  ~InterruptGuard() {
    signalfd_siginfo info;
    while (fd_.valid() && read(fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {}
    sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  const sigset_t& old_mask() const { return old_; }
  int fd() const { return fd_.get(); }

 private:
  sigset_t set_{}, old_{};
  UniqueFd fd_;
};

// The supervisor not dumpable while it supervises: the workload runs as the same user and could
// otherwise copy the listener (or any descriptor) out of it with pidfd_getfd, or read and write
// its memory, and answer its own notifications. Set only once the listener was taken: the child
// inherits the flag, and must be dumpable for the parent to take the listener from it. The
// previous value is back at the end.
class NotDumpableGuard {
 public:
  NotDumpableGuard() : previous_(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)) { prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }
  ~NotDumpableGuard() {
    if (previous_ > 0) prctl(PR_SET_DUMPABLE, previous_, 0, 0, 0);
  }
  NotDumpableGuard(const NotDumpableGuard&) = delete;
  NotDumpableGuard& operator=(const NotDumpableGuard&) = delete;

 private:
  int previous_;
};

class Supervisor {
 public:
  Supervisor(Workload& workload, NotifyChannel& channel, CallRecorder& recorder, learn::Run& run, int signal_fd,
             int timer_fd, double timeout_seconds)
      : w_(workload),
        channel_(channel),
        recorder_(recorder),
        run_(run),
        signal_fd_(signal_fd),
        timer_fd_(timer_fd),
        timeout_seconds_(timeout_seconds) {}

  // Runs until the workload is gone; the errno of a failed execve of the workload, or 0.
  int loop() {
    bool listener_open = true;
    int64_t end_deadline = 0;
    for (;;) {
      pollfd fds[] = {{listener_open ? w_.listener.get() : -1, POLLIN, 0},
                      {main_exited_ ? -1 : w_.pidfd.get(), POLLIN, 0},
                      {signal_fd_, POLLIN, 0},
                      {main_exited_ ? -1 : timer_fd_, POLLIN, 0},
                      {status_closed_ ? -1 : w_.status.get(), POLLIN, 0}};
      const int ready = poll(fds, 5, main_exited_ ? kEndRoundMs : -1);
      if (ready < 0 && errno != EINTR) break;
      if (fds[0].revents & POLLIN) {
        recorder_.handle(channel_);
      } else if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
        listener_open = false;  // no process uses the filter any more
      }
      if (fds[4].revents) note_exec_failure();
      if (fds[2].revents & POLLIN) on_signal();
      if (fds[3].revents & POLLIN) on_timeout();
      if (fds[1].revents & POLLIN) {
        on_main_exit();
        end_deadline = clock_ms() + kEndWaitMs;
      }
      if (main_exited_) {
        if (!listener_open || clock_ms() > end_deadline) break;
        // Leftovers may have been mid-call: another round of kill and reap, without blocking the
        // listener for long.
        if (ready == 0) posix::kill_descendants(0, 0);
      }
    }
    if (!main_exited_) {
      // The loop failed (poll itself): the workload must not outlive its supervisor's answers.
      kill(w_.pid, SIGKILL);
      siginfo_t info{};
      waitid(P_PIDFD, static_cast<id_t>(w_.pidfd.get()), &info, WEXITED);
      run_.exit_signal = SIGKILL;
      mark_partial("recording failed");
      posix::kill_descendants(0, kEndRoundMs);
    }
    note_exec_failure();
    return exec_errno_;
  }

 private:
  void note_exec_failure() {
    while (!status_closed_) {
      const int err = read_exec_failure(w_.status.get(), status_closed_);
      if (err == 0) break;
      exec_errno_ = err;
    }
  }

  void mark_partial(const std::string& reason) {
    run_.partial = true;
    if (run_.partial_reason.empty()) run_.partial_reason = reason;
  }

  void on_signal() {
    signalfd_siginfo info{};
    while (read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      if (main_exited_) continue;
      mark_partial("interrupted");
      // A terminal's interrupt (SI_KERNEL) reached the workload's process group already; one sent
      // to this process alone is passed on. A second one ends the workload.
      if (++interrupts_ > 1) kill(w_.pid, SIGKILL);
      else if (info.ssi_code != SI_KERNEL) kill(w_.pid, static_cast<int>(info.ssi_signo));
    }
  }

  void on_timeout() {
    uint64_t expirations = 0;
    if (read(timer_fd_, &expirations, sizeof expirations) != static_cast<ssize_t>(sizeof expirations)) return;
    mark_partial("timeout after " + seconds_text(timeout_seconds_) + " s");
    kill(w_.pid, SIGKILL);
  }

  void on_main_exit() {
    siginfo_t info{};
    const int waited = waitid(P_PIDFD, static_cast<id_t>(w_.pidfd.get()), &info, WEXITED | WNOHANG);
    if (waited == 0 && info.si_pid == 0) return;  // not yet after all
    main_exited_ = true;
    if (waited == 0 && info.si_code == CLD_EXITED) run_.exit_code = info.si_status;
    else if (waited == 0) run_.exit_signal = info.si_status;
    // Whatever the workload left running dies with it (and is reaped, so that the filter loses
    // its last user and the listener hangs up).
    posix::kill_descendants(0, kEndRoundMs);
  }

  Workload& w_;
  NotifyChannel& channel_;
  CallRecorder& recorder_;
  learn::Run& run_;
  int signal_fd_;
  int timer_fd_;
  double timeout_seconds_;
  bool main_exited_ = false;
  bool status_closed_ = false;
  int exec_errno_ = 0;
  int interrupts_ = 0;
};

UniqueFd start_timer(double seconds) {
  if (seconds <= 0) return {};
  UniqueFd fd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  double whole = 0;
  const double fraction = std::modf(seconds, &whole);
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(whole);
  spec.it_value.tv_nsec = static_cast<long>(fraction * 1e9);
  if (fd.valid()) timerfd_settime(fd.get(), 0, &spec, nullptr);
  return fd;
}

// Adds the run and its events to `into` (under `into`'s bound).
learn::Run fold(const learn::Recording& local, learn::Recording& into) {
  const learn::Run& run = local.runs.front();
  into.runs.push_back(run);
  for (const auto& [event, seen] : local.events) {
    if (!into.add(event, run.id, seen.count) || !seen.refused) continue;
    learn::Seen& kept = into.events[event];
    kept.refused = true;
    kept.err = seen.err;
  }
  for (auto it = into.runs.rbegin(); it != into.runs.rend(); ++it)
    if (it->id == run.id) return *it;
  return run;
}

}  // namespace

std::optional<learn::Run> run(const Options& options, learn::Recording& into, std::string& error) {
  if (options.argv.empty()) {
    error = "no command to run";
    return std::nullopt;
  }
  const auto program = find_program(options.argv[0], error);
  if (!program) return std::nullopt;
  std::optional<NotifyChannel> channel;
  try {
    channel.emplace(-1);
  } catch (const std::exception& e) {
    error = std::string("cannot record: seccomp user notification is not available: ") + e.what();
    return std::nullopt;
  }
  if (!posix::become_subreaper()) {
    error = std::string("cannot record: prctl(PR_SET_CHILD_SUBREAPER) failed: ") + std::strerror(errno);
    return std::nullopt;
  }

  learn::Recording local;
  local.max_events = into.max_events;
  learn::Run started;
  started.id = options.run_id;
  started.argv = options.argv;
  started.cwd = current_directory();
  local.runs.push_back(started);

  InterruptGuard interrupts;
  auto workload = spawn_workload(*program, options.argv, interrupts.old_mask(), options.landlock, error);
  if (!workload) return std::nullopt;
  const NotDumpableGuard not_dumpable;
  channel.emplace(workload->listener.get());
  const UniqueFd timer = start_timer(options.timeout_seconds);
  CallRecorder recorder(local, options.run_id, options.judge);
  Supervisor supervisor(*workload, *channel, recorder, local.runs.front(), interrupts.fd(), timer.get(),
                        options.timeout_seconds);
  // A workload that could not be executed is an error, unless the Judge refused its execve: then
  // that refusal is what the run shows (its status is the child's 127).
  if (const int err = supervisor.loop(); err != 0 && recorder.refusals() == 0) {
    error = "cannot execute " + *program + ": " + std::strerror(err);
    return std::nullopt;
  }
  return fold(local, into);
}

}  // namespace polc::record
