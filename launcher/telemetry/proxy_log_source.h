// Stage: launcher telemetry. The egress proxy's refusals as a telemetry source: squid's access log
// (proxy_log.h's format), tailed while the payload runs.
//
// The file is opened when the supervisor starts, without following a symbolic link at its last
// component (O_NOFOLLOW) and only when it is a regular file, and read from its end then: only
// what squid logs during the run is read. It has no descriptor worth polling (a regular file is
// always readable), so fd() is -1 and the supervisor calls read_available on its timer; each
// call reads at most Settings::max_read_bytes, hands on complete lines only and keeps a partial
// last line for the next call.
//
// Rotation: when the path names another file (renamed away and created anew, `squid -k rotate`),
// the new one is read from its start, and the old one is still read to its end, since squid may
// write to it until it reopens. Truncation in place (copytruncate): reading restarts at the
// start. A path that becomes a symbolic link or anything but a regular file is not followed.
//
// Only refusals from the payload's client addresses (proxy_clients.h) are events: the proxy may
// serve others too. A run shares these addresses with whatever else runs in its network
// namespace, so two runs in one namespace behind one proxy see each other's refusals.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/posix/unique_fd.h"
#include "launcher/telemetry/proxy_clients.h"
#include "launcher/telemetry/attribution.h"
#include "launcher/telemetry/source.h"

namespace polc::telemetry {

class ProxyLogSource final : public Source {
 public:
  struct Settings {
    size_t max_read_bytes = 256 * 1024;  // per read_available call, over both files
    size_t max_line_bytes = 64 * 1024;   // a longer line is skipped and counted (squid's are < 8 KiB)
    // squid logs a request when its transaction ends, just after the refused client got its
    // answer; at the end of the run the source waits this long for such lines before it is synced.
    int settle_ms = 200;
  };

  // What the source has seen; `malformed` lines (not polc.access/1, torn, too long) count as
  // lost, since any of them may have been a refusal.
  struct Stats {
    uint64_t lines = 0;
    uint64_t refusals = 0;       // from the payload's addresses: the events
    uint64_t other_clients = 0;  // refusals of other clients, ignored
    uint64_t malformed = 0;
    uint64_t rotations = 0;
    uint64_t truncations = 0;
    uint64_t refused_paths = 0;  // the path became a link or a non-regular file: not opened
  };

  // Opens `path`. Throws std::system_error (the open, or ELOOP for a symbolic link) or
  // std::invalid_argument (not a regular file; no clients, or one that is not an address).
  static std::unique_ptr<ProxyLogSource> open(const std::string& path, const std::vector<std::string>& clients,
                                              Settings settings);
  static std::unique_ptr<ProxyLogSource> open(const std::string& path, const std::vector<std::string>& clients) {
    return open(path, clients, Settings{});
  }

  const char* name() const override { return "proxy_log"; }
  int fd() const override { return -1; }
  void read_available(std::vector<Event>& out) override;
  // Lines that may have been refusals and never became events: the malformed ones, and after a
  // sync that ran out of time, every line still unread (an upper bound: some were not refusals).
  uint64_t lost() const override;
  void begin_sync() override;
  bool synced() const override { return synced_; }

  const Stats& stats() const { return stats_; }
  // What each refusal is attributed with (none: events name no statement).
  void set_attributor(std::shared_ptr<const Attributor> attributor) { attributor_ = std::move(attributor); }

 private:
  struct Tailed {
    UniqueFd fd;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t offset = 0;
    std::string partial;    // the start of a line whose newline has not been written yet
    bool skipping = false;  // inside a line longer than max_line_bytes: dropped up to its newline
  };

  ProxyLogSource(std::string path, ClientAddresses clients, Settings settings, Tailed file)
      : path_(std::move(path)), clients_(std::move(clients)), settings_(settings), current_(std::move(file)) {}

  // A new file at the path: it becomes current_ (read from its start), current_ previous_.
  void follow_rotation(size_t& budget, std::vector<Event>& out);
  // Reads `file` from its offset, at most `budget` bytes (decremented); true at its end.
  bool read_file(Tailed& file, size_t& budget, std::vector<Event>& out);
  static uint64_t unread_lines(const Tailed& file);
  void take_bytes(Tailed& file, const char* data, size_t size, std::vector<Event>& out);
  void take_line(std::string_view line, std::vector<Event>& out);

  std::string path_;
  ClientAddresses clients_;
  Settings settings_;
  Tailed current_;
  std::optional<Tailed> previous_;  // the file before the last rotation, still read to its end
  Stats stats_;
  dev_t refused_dev_ = 0;  // the last non-regular file found at the path, counted once
  ino_t refused_ino_ = 0;
  std::optional<int64_t> settle_until_ms_;  // set by begin_sync
  bool synced_ = false;
  std::shared_ptr<const Attributor> attributor_;
};

}  // namespace polc::telemetry
