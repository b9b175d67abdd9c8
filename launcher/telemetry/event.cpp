// Stage: launcher telemetry. Names of the event vocabulary (event.h).
#include "launcher/telemetry/event.h"

#include <time.h>

#include <cstdio>

namespace polc::telemetry {

const char* layer_name(Layer layer) {
  switch (layer) {
    case Layer::Seccomp: return "seccomp";
    case Layer::Landlock: return "landlock";
    case Layer::Nftables: return "nftables";
    case Layer::Proxy: return "proxy";
    case Layer::Launcher: return "launcher";
    case Layer::Limits: return "limits";
  }
  return "launcher";
}

std::string rfc3339_utc(int64_t seconds, int64_t microseconds) {
  const time_t t = static_cast<time_t>(seconds);
  struct tm tm {};
  if (!gmtime_r(&t, &tm)) return "1970-01-01T00:00:00.000000Z";
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(microseconds % 1000000));
  return out;
}

std::string rfc3339_utc_now() {
  struct timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  return rfc3339_utc(now.tv_sec, now.tv_nsec / 1000);
}

}  // namespace polc::telemetry
