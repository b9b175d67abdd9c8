// Stage: launcher. The supervisor's loop (supervisor.h).
#include "launcher/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sched.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <nlohmann/json.hpp>

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

// The payload's pid in its exec line (the audit line's "pid").
std::optional<int64_t> exec_line_pid(const std::string& exec_line) {
  const auto line = nlohmann::json::parse(exec_line, nullptr, false);
  if (!line.is_object()) return std::nullopt;
  const auto pid = line.find("pid");
  if (pid == line.end() || !pid->is_number_integer()) return std::nullopt;
  return pid->get<int64_t>();
}

// Writes one /proc/PID file of the child's user namespace (uid_map, gid_map, setgroups).
bool write_proc(pid_t pid, const char* file, const std::string& text, std::string& why) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  const UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd.valid() && ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size())) return true;
  why = "cannot write " + path + " (the payload's user namespace): " + errno_text(errno);
  return false;
}

bool map_user_namespace(pid_t pid, const SpawnPlan& plan, std::string& why) {
  return (!plan.deny_setgroups || write_proc(pid, "setgroups", "deny", why)) &&
         write_proc(pid, "uid_map", plan.uid_map, why) && write_proc(pid, "gid_map", plan.gid_map, why);
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

PayloadEnd Supervisor::run(const SpawnPlan& plan, const std::function<void(const ChildStart& start)>& child) {
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
  int launch_pipe[2], go_pipe[2], status_pipe[2] = {-1, -1};
  if (pipe2(launch_pipe, O_CLOEXEC) != 0) failed("pipe2");
  UniqueFd launch_read(launch_pipe[0]), launch_write(launch_pipe[1]);
  // The go pipe: the supervisor says when the child may go on (placed in the run's cgroup, its
  // user namespace mapped), and keeps its end open until the run is over, so a child that sees it
  // hang up knows the supervisor is gone.
  if (pipe2(go_pipe, O_CLOEXEC) != 0) failed("pipe2");
  UniqueFd go_read(go_pipe[0]), go_write(go_pipe[1]);
  const bool pid_ns = (plan.namespaces & CLONE_NEWPID) != 0;
  if (pid_ns && pipe2(status_pipe, O_CLOEXEC | O_NONBLOCK) != 0) failed("pipe2");
  UniqueFd status_read(status_pipe[0]), status_write(status_pipe[1]);
  become_subreaper();

  // clone(2) without a new stack behaves as fork(2) in the child (sbx-exec is single-threaded).
  const pid_t payload =
      plan.namespaces == 0
          ? fork()
          : static_cast<pid_t>(syscall(SYS_clone, plan.namespaces | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (payload < 0) {
    if (plan.namespaces == 0) failed("fork");
    throw Failure(ExitCode::ApplyFailed, "cannot create the payload's namespaces (clone): " + errno_text(errno));
  }
  if (payload == 0) {
    sigprocmask(SIG_SETMASK, &saved, nullptr);
    signals.reset();
    launch_read.reset();
    go_write.reset();
    status_read.reset();
    // A session of its own: no controlling terminal to push input into, and a process group
    // the supervisor relays signals to.
    if (setsid() < 0) _exit(static_cast<int>(ExitCode::ApplyFailed));
    ChildStart start;
    start.launch_fd = launch_write.get();
    start.status_fd = status_write.get();
    start.lifeline_fd = go_read.get();
    // "G", or "R" (refuse) or "T" (no cgroup: process rounds) and a reason up to a newline.
    char code = 0;
    if (read(go_read.get(), &code, 1) != 1) _exit(static_cast<int>(ExitCode::ApplyFailed));
    if (code != 'G') {
      std::string why;
      char c = 0;
      while (read(go_read.get(), &c, 1) == 1 && c != '\n') why += c;
      if (code == 'T') start.tree = why;
      else start.refuse = why;
    }
    child(start);
    _exit(static_cast<int>(ExitCode::ApplyFailed));  // `child` must not return
  }
  launch_write.reset();
  status_write.reset();
  go_read.reset();
  // Not dumpable: a process of the same uid can neither ptrace the supervisor nor read its memory.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  const int64_t started_ms = clock_ms();
  {
    std::string go = "G";
    std::string why;
    if ((plan.namespaces & CLONE_NEWUSER) && !map_user_namespace(payload, plan, why)) {
      go = "R" + why + "\n";
    } else if (cgroup_ && !cgroup_->place(payload, why)) {
      // Without limits the cgroup only makes the end surer (the rounds remain); with limits it is
      // part of the sandbox, so the launch is refused.
      go = (cgroup_->limited() ? "R" : "T") + why + "\n";
    }
    if (::write(go_write.get(), go.data(), go.size()) != static_cast<ssize_t>(go.size())) {
      kill(payload, SIGKILL);
    }
  }

  PayloadEnd end;
  bool time_limit_hit = false;
  std::optional<int> status;
  std::string launch_bytes;
  auto started = [&] {
    if (launch_bytes.empty() || launch_bytes[0] != kLaunchExec) return;
    // In a pid namespace the process that confined itself is init's child, whose pid (as this
    // namespace numbers it) it put in its exec line before the new /proc hid it.
    const int64_t confined = pid_ns ? exec_line_pid(launch_bytes.substr(1)).value_or(payload) : payload;
    for (telemetry::Source* s : sources_) s->payload_started(confined, launch_bytes.substr(1));
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
    int wait_ms = 250;
    if (plan.time_limit_ms && !time_limit_hit) {
      const int64_t left = started_ms + static_cast<int64_t>(*plan.time_limit_ms) - clock_ms();
      if (left <= 0) {
        // The wall-clock limit: the whole run, however many processes and sessions it made.
        time_limit_hit = true;
        if (cgroup_) cgroup_->kill_now();
        kill(-payload, SIGKILL);
        kill(payload, SIGKILL);
      } else {
        wait_ms = static_cast<int>(std::min<int64_t>(left, wait_ms));
      }
    }
    if (poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR) failed("poll");

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
  int main_status = *status;
  // With a pid namespace the child is its init, which wrote the payload's own wait status before
  // it exited (PID 1 cannot die of a signal it raises itself). Nothing written: init was killed
  // (the time limit, cgroup.kill) with the payload, and its status is the run's.
  if (status_read.valid()) {
    int payload_status = 0;
    if (read(status_read.get(), &payload_status, sizeof payload_status) == static_cast<ssize_t>(sizeof payload_status))
      main_status = payload_status;
  }
  // The cgroup first: it holds every process the payload started, however fast it forks.
  size_t left = cgroup_ ? cgroup_->kill_all(kTreeKillMs) : 0;
  left += kill_process_tree(payload, kTreeKillMs);
  sync_sources(kSyncMs);
  for (telemetry::Source* s : sources_) reporter_.lost(s->name(), s->lost());
  end = ended(main_status);
  end.launched = !launch_bytes.empty() && launch_bytes[0] == kLaunchExec;
  if (!launch_bytes.empty()) end.launch_report = launch_bytes.substr(1);
  end.left_running = left;
  end.time_limit_hit = time_limit_hit;
  if (cgroup_) end.limit_hits = cgroup_->hits();
  return end;
}

}  // namespace polc::launcher
