// Stage: launcher telemetry. An event as one line of JSON (docs/telemetry.md): keys sorted, no
// whitespace, strings the payload controls escaped by the JSON writer (quotes, backslashes,
// control characters; bytes that are not UTF-8 replaced), each long string cut so that a line
// stays below kMaxLineBytes and one write(2) to a pipe is atomic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "launcher/telemetry/event.h"

namespace polc::telemetry {

// What every event names: the bundle that decided.
struct BundleId {
  std::string policy;
  int64_t version = 0;
  std::string manifest_sha256;
};

inline constexpr size_t kMaxLineBytes = 4000;  // below PIPE_BUF (4096)
inline constexpr size_t kMaxStringBytes = 1024;

std::string event_line(const Event& event, const BundleId& bundle);

// The records that are not refusals, with the same envelope (`event` names the kind):
// "dropped" (the rate limit kept `count` refusals of `layer` from being written), "lost" (the
// kernel's queue overran: `count` records never reached sbx-exec), "notice" (a source that could
// not be opened, said once, with `message`).
std::string dropped_line(Layer layer, uint64_t count, const BundleId& bundle);
std::string lost_line(const std::string& source, uint64_t count, const BundleId& bundle);
std::string notice_line(const std::string& source, const std::string& message, const BundleId& bundle);

}  // namespace polc::telemetry
