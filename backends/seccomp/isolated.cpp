// Stage: backends/seccomp. libseccomp in a child process with a deadline (see isolated.h).
#include "backends/seccomp/isolated.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

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

bool read_all(int fd, void* data, size_t size) {
  auto* p = static_cast<uint8_t*>(data);
  while (size > 0) {
    const ssize_t n = read(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Runs `work` and sends its outcome on `fd`: one status byte (1 = bytes follow, 0 = an error
// message follows), then the payload. The exit status says whether all of it was sent.
[[noreturn]] void run_and_send(const std::function<std::optional<Bytes>(std::string*)>& work, int fd) {
  std::string error;
  std::optional<Bytes> out = work(&error);
  const uint8_t ok = out ? 1 : 0;
  const bool sent =
      write_all(fd, &ok, 1) && (out ? write_all(fd, out->data(), out->size()) : write_all(fd, error.data(), error.size()));
  _exit(sent ? 0 : 1);  // no destructors or atexit handlers: they belong to the parent
}

// The isolation worker's side of its socket, and the header of one job sent on it (the write end
// of the job's result pipe travels beside it as SCM_RIGHTS, the input follows it).
UniqueFd worker_socket;
struct JobHeader {
  WorkerFunction function;
  uint32_t seconds;
  uint64_t input_size;
};
// What the worker's process for a job sends on the result pipe after the job's own bytes: how it
// ended, as waitpid said.
struct JobTrailer {
  int32_t signal;  // 0 when it exited
  int32_t exit_status;
};

// One job in the worker: this process (the job's monitor) sends its pid first, so that the
// caller can kill it at the deadline, then forks the job, waits for it and sends how it ended.
// The job dies with its monitor (PR_SET_PDEATHSIG), and by its own alarm shortly after the
// caller's deadline, so that nothing outlives a caller that died.
[[noreturn]] void monitor_job(const JobHeader& header, const Bytes& input, int fd) {
  signal(SIGCHLD, SIG_DFL);
  const pid_t self = getpid();
  if (!write_all(fd, &self, sizeof self)) _exit(1);
  const pid_t job = fork();
  if (job < 0) _exit(1);
  if (job == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != self) _exit(1);
    alarm(header.seconds + 2);
    run_and_send([&](std::string* e) { return header.function(input, e); }, fd);
  }
  int status = 0;
  while (waitpid(job, &status, 0) < 0 && errno == EINTR) {}
  const JobTrailer trailer{WIFSIGNALED(status) ? WTERMSIG(status) : 0, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
  _exit(write_all(fd, &trailer, sizeof trailer) ? 0 : 1);
}

// The worker: receives jobs until the caller's end of the socket closes (the caller exited).
// It never waits for its children (SIGCHLD ignored: the kernel reaps them).
[[noreturn]] void worker_loop(int socket) {
  signal(SIGCHLD, SIG_IGN);
  // Hold none of the caller's output: whoever reads it sees its end when the caller exits.
  const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0)
    for (int fd = 0; fd <= 2; ++fd) dup2(null, fd);
  for (;;) {
    JobHeader header{};
    iovec iov{&header, sizeof header};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof header)) _exit(0);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (c == nullptr || c->cmsg_type != SCM_RIGHTS) _exit(1);
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    Bytes input(header.input_size);
    if (!read_all(socket, input.data(), input.size())) _exit(0);
    const pid_t pid = fork();
    if (pid == 0) {
      close(socket);
      monitor_job(header, input, fd);
    }
    close(fd);  // a failed fork: the caller reads an empty pipe and reports the job as failed
  }
}

}  // namespace

void start_isolation_worker() {
  if (worker_socket.valid()) return;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return;
  const pid_t pid = fork();
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    return;
  }
  if (pid == 0) {
    close(sv[0]);
    worker_loop(sv[1]);
  }
  close(sv[1]);
  worker_socket.reset(sv[0]);
}

IsolatedJob::IsolatedJob(const std::function<std::optional<Bytes>(std::string*)>& work, unsigned seconds)
    : seconds_(seconds) {
  start_forked(work);
}

IsolatedJob::IsolatedJob(WorkerFunction function, Bytes input, unsigned seconds) : seconds_(seconds) {
  if (worker_socket.valid()) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == 0) {
      UniqueFd read_end(fds[0]), write_end(fds[1]);
      JobHeader header{function, seconds, input.size()};
      iovec iov{&header, sizeof header};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      const int sent_fd = write_end.get();
      std::memcpy(CMSG_DATA(c), &sent_fd, sizeof sent_fd);
      ssize_t n = -1;
      do n = sendmsg(worker_socket.get(), &msg, MSG_NOSIGNAL);
      while (n < 0 && errno == EINTR);
      bool sent = n == static_cast<ssize_t>(sizeof header);
      for (size_t done = 0; sent && done < input.size();) {
        const ssize_t m = send(worker_socket.get(), input.data() + done, input.size() - done, MSG_NOSIGNAL);
        if (m < 0 && errno == EINTR) continue;
        if (m <= 0) sent = false;
        else done += static_cast<size_t>(m);
      }
      if (sent) {
        via_worker_ = true;
        fd_ = std::move(read_end);
        deadline_ms_ = now_ms() + int64_t{seconds} * 1000;
        return;
      }
    }
    // The worker is gone (or half a job went out): stop using it and fork here instead.
    worker_socket.reset();
  }
  start_forked([&](std::string* e) { return function(input, e); });
}

void IsolatedJob::start_forked(const std::function<std::optional<Bytes>(std::string*)>& work) {
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
    close(fds[0]);
    run_and_send(work, fds[1]);
  }
  close(fds[1]);
  pid_ = pid;
  fd_.reset(fds[0]);
  deadline_ms_ = now_ms() + int64_t{seconds_} * 1000;
}

IsolatedJob::IsolatedJob(IsolatedJob&& other) noexcept
    : pid_(other.pid_),
      via_worker_(other.via_worker_),
      finished_(other.finished_),
      fd_(std::move(other.fd_)),
      received_(std::move(other.received_)),
      deadline_ms_(other.deadline_ms_),
      seconds_(other.seconds_),
      start_error_(std::move(other.start_error_)) {
  other.pid_ = -1;
  other.via_worker_ = false;
}

IsolatedJob::~IsolatedJob() {
  if (via_worker_ && !finished_) {
    // The job's monitor sends its pid first thing; wait briefly for it so as to kill the job
    // (otherwise its own alarm ends it a little after the deadline).
    while (received_.size() < sizeof(pid_t)) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) break;
      char buf[64];
      const ssize_t n = read(fd_.get(), buf, sizeof buf);
      if (n <= 0) break;
      received_.append(buf, static_cast<size_t>(n));
    }
    if (received_.size() >= sizeof(pid_t)) {
      pid_t monitor = -1;
      std::memcpy(&monitor, received_.data(), sizeof monitor);
      if (monitor > 0) kill(monitor, SIGKILL);  // not our child: the worker reaps it
    }
    return;
  }
  fd_.reset();
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {}
  }
}

std::optional<Bytes> IsolatedJob::finish_from_worker(std::string* error) {
  finished_ = true;
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
    received_.append(buf, static_cast<size_t>(n));
  }
  fd_.reset();
  pid_t monitor = -1;
  if (received_.size() >= sizeof monitor) std::memcpy(&monitor, received_.data(), sizeof monitor);
  if (timed_out) {
    if (monitor > 0) kill(monitor, SIGKILL);  // the job dies with it (PR_SET_PDEATHSIG)
    *error = "libseccomp did not finish within " + std::to_string(seconds_) +
             " s (libseccomp 2.5 can loop forever on some rule sets)";
    return std::nullopt;
  }
  if (received_.size() < sizeof monitor + sizeof(JobTrailer)) {
    *error = "the libseccomp child process failed";
    return std::nullopt;
  }
  JobTrailer trailer{};
  std::memcpy(&trailer, received_.data() + received_.size() - sizeof trailer, sizeof trailer);
  const std::string_view out(received_.data() + sizeof monitor, received_.size() - sizeof monitor - sizeof trailer);
  if (trailer.signal != 0 || trailer.exit_status != 0 || out.empty()) {
    *error = trailer.signal != 0 ? "libseccomp crashed (signal " + std::to_string(trailer.signal) + ")"
                                 : "the libseccomp child process failed";
    return std::nullopt;
  }
  if (out[0] == 0) {
    *error = std::string(out.substr(1));
    return std::nullopt;
  }
  return Bytes(out.begin() + 1, out.end());
}

std::optional<Bytes> IsolatedJob::finish(std::string* error) {
  if (via_worker_ && !finished_) return finish_from_worker(error);
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
