// Stage: launcher telemetry. Tailing the proxy's access log (proxy_log_source.h).
#include "launcher/telemetry/proxy_log_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "compiler/posix/clock.h"
#include "launcher/telemetry/proxy_log.h"

namespace polc::telemetry {

namespace {

// The path's file as it is now, positioned at its start. O_NONBLOCK and O_NOCTTY: opening a
// FIFO or a terminal planted at the path must neither block nor have side effects before fstat
// tells it is no regular file.
void open_regular(const std::string& path, UniqueFd& fd, struct stat& st) {
  fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) {
    const int err = errno;
    throw std::system_error(err, std::generic_category(),
                            err == ELOOP ? "the proxy log " + path + " is a symbolic link (not followed)"
                                         : "cannot open the proxy log " + path);
  }
  if (fstat(fd.get(), &st) != 0) throw std::system_error(errno, std::generic_category(), "fstat " + path);
  if (!S_ISREG(st.st_mode)) throw std::invalid_argument("the proxy log " + path + " is not a regular file");
}

}  // namespace

std::unique_ptr<ProxyLogSource> ProxyLogSource::open(const std::string& path, const std::vector<std::string>& clients,
                                                     Settings settings) {
  ClientAddresses accepted(clients);
  if (accepted.empty()) throw std::invalid_argument("the proxy log needs the payload's client addresses");
  Tailed file;
  struct stat st {};
  open_regular(path, file.fd, st);
  file.dev = st.st_dev;
  file.ino = st.st_ino;
  file.offset = st.st_size;  // only what is logged from now on
  return std::unique_ptr<ProxyLogSource>(new ProxyLogSource(path, std::move(accepted), settings, std::move(file)));
}

void ProxyLogSource::follow_rotation(size_t& budget, std::vector<Event>& out) {
  struct stat st {};
  if (lstat(path_.c_str(), &st) != 0) return;  // renamed away, not created anew yet: keep reading
  if (st.st_dev == current_.dev && st.st_ino == current_.ino) return;
  if (!S_ISREG(st.st_mode)) {
    if (st.st_dev != refused_dev_ || st.st_ino != refused_ino_) ++stats_.refused_paths;
    refused_dev_ = st.st_dev;
    refused_ino_ = st.st_ino;
    return;
  }
  Tailed next;
  struct stat opened {};
  try {
    open_regular(path_, next.fd, opened);
  } catch (const std::exception&) {
    ++stats_.refused_paths;  // replaced again between lstat and open by something else
    return;
  }
  next.dev = opened.st_dev;
  next.ino = opened.st_ino;
  // At most two files: the oldest gets what the budget allows and goes.
  if (previous_) read_file(*previous_, budget, out);
  previous_ = std::move(current_);
  current_ = std::move(next);
  ++stats_.rotations;
}

void ProxyLogSource::read_available(std::vector<Event>& out) {
  const bool settled = settle_until_ms_ && clock_ms() >= *settle_until_ms_;
  size_t budget = settings_.max_read_bytes;
  follow_rotation(budget, out);
  bool at_end = true;
  if (previous_) at_end = read_file(*previous_, budget, out);
  at_end = read_file(current_, budget, out) && at_end;
  // Everything squid wrote before the settle deadline has been read.
  if (settled && at_end) synced_ = true;
}

void ProxyLogSource::begin_sync() {
  settle_until_ms_ = clock_ms() + settings_.settle_ms;
  synced_ = false;
}

uint64_t ProxyLogSource::lost() const {
  uint64_t n = stats_.malformed;
  if (settle_until_ms_ && !synced_) {
    if (previous_) n += unread_lines(*previous_);
    n += unread_lines(current_);
  }
  return n;
}

uint64_t ProxyLogSource::unread_lines(const Tailed& file) {
  constexpr off_t kScanLimit = off_t{64} << 20;  // counting stays quick; beyond it, a lower bound
  uint64_t lines = 0;
  char buffer[65536];
  for (off_t at = file.offset; at - file.offset < kScanLimit;) {
    const ssize_t n = pread(file.fd.get(), buffer, sizeof buffer, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    lines += static_cast<uint64_t>(std::count(buffer, buffer + n, '\n'));
    at += n;
  }
  return lines;
}

bool ProxyLogSource::read_file(Tailed& file, size_t& budget, std::vector<Event>& out) {
  struct stat st {};
  if (fstat(file.fd.get(), &st) == 0 && st.st_size < file.offset) {
    // Truncated in place: what follows was written after the truncation, from the start.
    file.offset = 0;
    file.partial.clear();
    file.skipping = false;
    ++stats_.truncations;
  }
  char buffer[16384];
  while (budget > 0) {
    const ssize_t n = pread(file.fd.get(), buffer, std::min(sizeof buffer, budget), file.offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;  // the end (or an I/O error: nothing more to read)
    file.offset += n;
    budget -= static_cast<size_t>(n);
    take_bytes(file, buffer, static_cast<size_t>(n), out);
  }
  return false;
}

void ProxyLogSource::take_bytes(Tailed& file, const char* data, size_t size, std::vector<Event>& out) {
  size_t at = 0;
  while (at < size) {
    const auto* newline = static_cast<const char*>(std::memchr(data + at, '\n', size - at));
    const size_t end = newline ? static_cast<size_t>(newline - data) : size;
    const std::string_view piece(data + at, end - at);
    at = end + 1;
    if (file.skipping) {
      if (newline) file.skipping = false;
      continue;
    }
    if (!newline) {
      file.partial.append(piece);
      if (file.partial.size() > settings_.max_line_bytes) {
        file.partial.clear();
        file.skipping = true;
        ++stats_.lines;
        ++stats_.malformed;
      }
      return;
    }
    if (file.partial.empty()) {
      take_line(piece, out);
      continue;
    }
    file.partial.append(piece);
    take_line(file.partial, out);
    file.partial.clear();
  }
}

void ProxyLogSource::take_line(std::string_view line, std::vector<Event>& out) {
  if (line.empty()) return;
  ++stats_.lines;
  if (line.size() > settings_.max_line_bytes) {
    ++stats_.malformed;
    return;
  }
  const auto record = parse_proxy_log_line(line);
  if (!record) {
    ++stats_.malformed;
    return;
  }
  if (!is_proxy_refusal(*record)) return;
  if (!clients_.contains(record->client)) {
    ++stats_.other_clients;
    return;
  }
  ++stats_.refusals;
  Event event = proxy_refusal_event(*record);
  if (attributor_) attributor_->attribute(event);
  out.push_back(std::move(event));
}

}  // namespace polc::telemetry
