// Stage: launcher (learning). Forking the workload under the filter (spawn_workload.h).
#include "launcher/record/spawn_workload.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include "launcher/record/pidfd.h"
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "compiler/posix/clock.h"
#include "launcher/record/notify_filter.h"

extern char** environ;

namespace polc::record {

namespace {

// What the child tells the parent over the status pipe: one fixed-size message each.
struct Message {
  enum Kind : int32_t { ListenerFd = 1, SetupFailed = 2, SeccompFailed = 3, ExecFailed = 4, LandlockFailed = 5 };
  int32_t kind = 0;
  int32_t value = 0;
};

constexpr int kListenerWaitMs = 5000;

bool executable_file(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// The child, after fork: async-signal-safe calls only (the parent may have had threads).
[[noreturn]] void run_child(int status_fd, pid_t parent, const char* program, char* const* argv, const sigset_t& mask,
                            const ChildLandlock& landlock) {
  auto tell = [status_fd](int32_t kind, int32_t value) {
    const Message m{kind, value};
    (void)!write(status_fd, &m, sizeof m);
  };
  // Killed with the supervisor: a workload whose listener is gone would see every call fail.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent) _exit(127);
  if (sigprocmask(SIG_SETMASK, &mask, nullptr) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    tell(Message::SetupFailed, errno);
    _exit(127);
  }
  // Landlock before the filter: its own calls are not recorded, and its descriptors are closed
  // again before the listener's number is chosen.
  if (const int err = apply_child_landlock(landlock); err != 0) {
    tell(Message::LandlockFailed, err);
    _exit(127);
  }
  // The listener will get the lowest free descriptor: find it now, while calls are still free.
  const int probe = fcntl(status_fd, F_DUPFD, 0);
  if (probe < 0) {
    tell(Message::SetupFailed, errno);
    _exit(127);
  }
  close(probe);
  tell(Message::ListenerFd, probe);
  if (install_notify_filter() < 0) {
    tell(Message::SeccompFailed, errno);
    _exit(127);
  }
  // Recorded from here on: the execve first, which waits until the parent holds the listener.
  execve(program, argv, environ);
  tell(Message::ExecFailed, errno);
  _exit(127);
}

// Reads one whole message, waiting at most `timeout_ms` (also while the child is alive but slow).
// False at the end of the pipe or on timeout.
bool read_message(int fd, Message& m, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  return read(fd, &m, sizeof m) == static_cast<ssize_t>(sizeof m);
}

std::string errno_text(int err) { return std::strerror(err); }

std::string setup_failure(const Message& m) {
  if (m.kind == Message::SeccompFailed)
    return "cannot record: this kernel refused the seccomp user-notification filter (" + errno_text(m.value) + ")";
  if (m.kind == Message::ExecFailed) return "cannot execute the workload: " + errno_text(m.value);
  if (m.kind == Message::LandlockFailed)
    return "cannot apply the policy's Landlock rules to the workload (" + errno_text(m.value) + ")";
  return "cannot record: the workload's setup failed (" + errno_text(m.value) + ")";
}

bool is_listener(int fd) {
  char link[64] = {};
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = readlink(proc.c_str(), link, sizeof link - 1);
  return n > 0 && std::string(link, static_cast<size_t>(n)) == "anon_inode:seccomp notify";
}

// Takes descriptor `number` of the child once it is the listener. The child is blocked in its
// execve's notification by then, so the descriptor cannot go away (close-on-exec) before we have it.
UniqueFd take_listener(const Workload& w, int number, std::string& error) {
  const int64_t deadline = clock_ms() + kListenerWaitMs;
  for (;;) {
    UniqueFd fd(take_descriptor(w.pidfd.get(), number));
    if (fd.valid() && is_listener(fd.get())) return fd;
    if (!fd.valid() && errno != EBADF) {
      error = "cannot record: cannot take the workload's seccomp listener (pidfd_getfd: " + errno_text(errno) + ")";
      return {};
    }
    // Not there yet, or the child failed: it says so on the pipe (or closes it by dying).
    Message m;
    pollfd p{w.status.get(), POLLIN, 0};
    if (poll(&p, 1, 0) > 0) {
      error = read(w.status.get(), &m, sizeof m) == static_cast<ssize_t>(sizeof m)
                  ? setup_failure(m)
                  : "cannot record: the workload died before its filter was installed";
      return {};
    }
    if (clock_ms() > deadline) {
      error = "cannot record: the workload's seccomp listener did not appear";
      return {};
    }
    const timespec pause{0, 20'000};
    nanosleep(&pause, nullptr);
  }
}

}  // namespace

std::optional<std::string> find_program(const std::string& name, std::string& error) {
  if (name.empty()) {
    error = "no command to run";
    return std::nullopt;
  }
  if (name.find('/') != std::string::npos) {
    if (executable_file(name)) return name;
    error = "cannot execute " + name + ": " +
            (access(name.c_str(), F_OK) == 0 ? "not an executable file" : errno_text(ENOENT));
    return std::nullopt;
  }
  const char* env = std::getenv("PATH");
  const std::string path = env ? env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  for (;;) {
    const size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    if (executable_file(candidate)) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  error = "command not found: " + name;
  return std::nullopt;
}

std::optional<Workload> spawn_workload(const std::string& program, const std::vector<std::string>& argv,
                                       const sigset_t& child_mask, const ChildLandlock& landlock, std::string& error) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    error = "cannot record: pipe failed: " + errno_text(errno);
    return std::nullopt;
  }
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    error = "cannot record: fork failed: " + errno_text(errno);
    return std::nullopt;
  }
  if (pid == 0) run_child(write_end.get(), parent, program.c_str(), args.data(), child_mask, landlock);

  write_end.reset();
  Workload w;
  w.pid = pid;
  w.status = std::move(read_end);
  w.pidfd.reset(open_pidfd(pid));
  auto fail = [&](std::string message) -> std::optional<Workload> {
    error = std::move(message);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return std::nullopt;
  };
  if (!w.pidfd.valid()) return fail("cannot record: pidfd_open failed: " + errno_text(errno));
  Message m;
  if (!read_message(w.status.get(), m, kListenerWaitMs))
    return fail("cannot record: the workload died before its filter was installed");
  if (m.kind != Message::ListenerFd) return fail(setup_failure(m));
  w.listener = take_listener(w, m.value, error);
  if (!w.listener.valid()) return fail(error);
  return w;
}

int read_exec_failure(int status_fd, bool& closed) {
  pollfd p{status_fd, POLLIN, 0};
  if (poll(&p, 1, 0) <= 0) return 0;
  Message m;
  const ssize_t n = read(status_fd, &m, sizeof m);
  if (n <= 0) {
    closed = true;
    return 0;
  }
  return n == static_cast<ssize_t>(sizeof m) && m.kind == Message::ExecFailed ? m.value : 0;
}

}  // namespace polc::record
