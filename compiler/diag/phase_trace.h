// Stage: diag (developer aid). `POLC_TRACE_PHASES=1 polc check FILE` prints, on stderr, the
// milliseconds since the first trace of the run at each phase a build passes: the front end, the
// Z3 context, each proof and backend. docs/performance.md reads its critical paths from it. Off
// (one cached getenv) unless the variable is set.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace polc {

inline void trace_phase(const char* what) {
  static const bool on = std::getenv("POLC_TRACE_PHASES") != nullptr;
  if (!on) return;
  static const auto start = std::chrono::steady_clock::now();
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "[%8.2f ms] %s\n", ms, what);
}

}  // namespace polc
