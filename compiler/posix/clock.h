// Stage: shared, below every other. Milliseconds on a clock: the launcher's deadlines (the
// supervisor's loop, the events writer, the rate limit) use the monotonic one, which no clock
// change can move.
#pragma once

#include <time.h>

#include <cstdint>

namespace polc {

inline int64_t clock_ms(clockid_t clock = CLOCK_MONOTONIC) {
  timespec t{};
  clock_gettime(clock, &t);
  return int64_t{t.tv_sec} * 1000 + t.tv_nsec / 1000000;
}

}  // namespace polc
