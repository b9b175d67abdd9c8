// Stage: backends/seccomp. libseccomp in a child process with a deadline (see isolated.h).
#include "backends/seccomp/isolated.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace polc::backends::seccomp {

namespace {

bool write_all(int fd, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

IsolatedJob::IsolatedJob(const std::function<std::optional<Bytes>(std::string*)>& work, unsigned seconds)
    : seconds_(seconds) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    start_error_ = std::string("pipe: ") + std::strerror(errno);
    return;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    start_error_ = std::string("fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return;
  }
  if (pid == 0) {
    // Child: one status byte (1 = bytes follow, 0 = an error message follows), then the payload.
    close(fds[0]);
    std::string child_error;
    std::optional<Bytes> out = work(&child_error);
    const uint8_t ok = out ? 1 : 0;
    const bool sent = write_all(fds[1], &ok, 1) && (out ? write_all(fds[1], out->data(), out->size())
                                                        : write_all(fds[1], child_error.data(), child_error.size()));
    _exit(sent ? 0 : 1);  // no destructors or atexit handlers: they belong to the parent
  }
  close(fds[1]);
  pid_ = pid;
  fd_.reset(fds[0]);
  deadline_ms_ = now_ms() + int64_t{seconds} * 1000;
}

IsolatedJob::IsolatedJob(IsolatedJob&& other) noexcept
    : pid_(other.pid_),
      fd_(std::move(other.fd_)),
      deadline_ms_(other.deadline_ms_),
      seconds_(other.seconds_),
      start_error_(std::move(other.start_error_)) {
  other.pid_ = -1;
}

IsolatedJob::~IsolatedJob() {
  fd_.reset();
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
  }
}

std::optional<Bytes> IsolatedJob::finish(std::string* error) {
  if (pid_ <= 0) {
    *error = start_error_.empty() ? "the libseccomp child process was already collected" : start_error_;
    return std::nullopt;
  }
  std::string received;
  bool timed_out = false;
  for (;;) {
    const int64_t left = deadline_ms_ - now_ms();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fd_.get(), POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      timed_out = true;
      break;
    }
    char buf[65536];
    const ssize_t n = read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    received.append(buf, static_cast<size_t>(n));
  }
  fd_.reset();
  if (timed_out) kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
  pid_ = -1;
  if (timed_out) {
    *error = "libseccomp did not finish within " + std::to_string(seconds_) +
             " s (libseccomp 2.5 can loop forever on some rule sets)";
    return std::nullopt;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || received.empty()) {
    *error = WIFSIGNALED(status) ? "libseccomp crashed (signal " + std::to_string(WTERMSIG(status)) + ")"
                                 : "the libseccomp child process failed";
    return std::nullopt;
  }
  if (received[0] == 0) {
    *error = received.substr(1);
    return std::nullopt;
  }
  return Bytes(received.begin() + 1, received.end());
}

std::optional<Bytes> run_isolated(const std::function<std::optional<Bytes>(std::string*)>& work, unsigned seconds,
                                  std::string* error) {
  IsolatedJob job(work, seconds);
  return job.finish(error);
}

}  // namespace polc::backends::seccomp
