// Stage: launcher telemetry. The events destination (event_sink.h).
#include "launcher/telemetry/event_sink.h"

#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "compiler/posix/clock.h"

namespace polc::telemetry {

namespace {}  // namespace

std::optional<int> events_fd_number(const std::string& spec) {
  if (!spec.starts_with("fd:")) return std::nullopt;
  int fd = -1;
  const char* begin = spec.data() + 3;
  const char* end = spec.data() + spec.size();
  auto [last, ec] = std::from_chars(begin, end, fd);
  if (begin == end || ec != std::errc() || last != end || fd < 0) return std::nullopt;
  return fd;
}

EventSink::EventSink(const std::string& spec) : spec_(spec) {
  if (spec == "-") {
    // A descriptor of its own, so that the payload's stdout stays what it was.
    owned_.reset(fcntl(1, F_DUPFD_CLOEXEC, 3));
  } else if (spec.starts_with("fd:")) {
    const std::optional<int> n = events_fd_number(spec);
    if (!n) throw std::runtime_error("--events " + spec + ": fd: needs a descriptor number");
    if (fcntl(*n, F_GETFD) < 0)
      throw std::runtime_error("--events " + spec + ": descriptor " + spec.substr(3) + " is not open");
    owned_.reset(fcntl(*n, F_DUPFD_CLOEXEC, 3));
    if (owned_.valid()) ::close(*n);  // the caller's number is not passed on to the payload
  } else {
    // Like --audit-log: the launcher usually runs as root, and a link planted at the name would
    // have it append to any file.
    owned_.reset(open(spec.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600));
    if (!owned_.valid() && errno == ELOOP)
      throw std::runtime_error("cannot open --events " + spec + ": it is a symbolic link, which is not followed");
  }
  if (!owned_.valid()) throw std::runtime_error("cannot open --events " + spec + ": " + std::strerror(errno));
  fd_ = owned_.get();
}

void EventSink::write(std::string line) {
  if (fd_ < 0) return;
  line += '\n';
  if (queued_bytes_ + line.size() > kMaxQueuedBytes) {
    ++lost_;
    return;
  }
  queued_bytes_ += line.size();
  queue_.push_back(std::move(line));
  drain(0);
}

void EventSink::drain(int timeout_ms) {
  const int64_t deadline = clock_ms() + timeout_ms;
  while (!queue_.empty()) {
    pollfd p{fd_, POLLOUT, 0};
    const int64_t left = std::max<int64_t>(0, deadline - clock_ms());
    const int ready = poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;  // not now; the line waits
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
      // The reader is gone: nothing queued will ever arrive.
      lost_ += queue_.size();
      queue_.clear();
      queued_bytes_ = 0;
      return;
    }
    std::string& line = queue_.front();
    const ssize_t n = ::write(fd_, line.data(), line.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      lost_ += queue_.size();
      queue_.clear();
      queued_bytes_ = 0;
      return;
    }
    queued_bytes_ -= static_cast<size_t>(n);
    if (static_cast<size_t>(n) == line.size()) queue_.pop_front();
    else line.erase(0, static_cast<size_t>(n));
  }
}

bool EventSink::flush(int timeout_ms) {
  drain(timeout_ms);
  lost_ += queue_.size();
  queue_.clear();
  queued_bytes_ = 0;
  return lost_ == 0;
}

}  // namespace polc::telemetry
