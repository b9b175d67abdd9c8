// Stage: launcher telemetry. Where event lines go (--events): a file (appended, created 0600, not
// through a symbolic link), "-" for the launcher's stdout, or "fd:N", a descriptor the caller
// passed (the payload never inherits it).
//
// The supervisor must never hang on its reader: a line is written only when the descriptor can
// take it now (poll, no wait); otherwise it waits in memory, up to kMaxQueuedBytes, beyond which
// lines are dropped and counted. At the end, whatever waits gets a bounded time to drain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "compiler/posix/unique_fd.h"

namespace polc::telemetry {

class EventSink {
 public:
  static constexpr size_t kMaxQueuedBytes = 4 << 20;

  EventSink() = default;  // no destination: lines are counted, not written
  // Throws std::runtime_error with the reason when `spec` cannot be opened.
  explicit EventSink(const std::string& spec);

  bool enabled() const { return fd_ >= 0; }
  const std::string& spec() const { return spec_; }
  // Queues the line (no newline) and writes what the descriptor takes without waiting.
  void write(std::string line);
  // Writes what waits, waiting at most `timeout_ms` in all. Returns false when lines were lost.
  bool flush(int timeout_ms);
  uint64_t lines_lost() const { return lost_; }

 private:
  void drain(int timeout_ms);

  std::string spec_;
  UniqueFd owned_;
  int fd_ = -1;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  uint64_t lost_ = 0;
};

// "fd:N" → N; nullopt for anything else.
std::optional<int> events_fd_number(const std::string& spec);

}  // namespace polc::telemetry
