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

std::optional<Bytes> run_isolated(const std::function<std::optional<Bytes>(std::string*)>& work, unsigned seconds,
                                  std::string* error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return std::nullopt;
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
  std::string received;
  const int64_t deadline = now_ms() + int64_t{seconds} * 1000;
  bool timed_out = false;
  for (;;) {
    const int64_t left = deadline - now_ms();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      timed_out = true;
      break;
    }
    char buf[65536];
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    received.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    *error = "libseccomp did not finish within " + std::to_string(seconds) + " s (libseccomp 2.5 can loop forever on some rule sets)";
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

}  // namespace polc::backends::seccomp
