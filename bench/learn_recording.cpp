// The recorder's cost (launcher/record, `polc learn`), for two workloads run unrecorded and under
// polc::record::run, RUNS times each (default 5), medians reported:
//   calls N  N getppid calls (default 1,000,000): one distinct event, so the recording stays
//            small however long the run; what it costs per call;
//   paths N  N opens of distinct missing paths (default 200,000): N distinct events, the
//            recording's worst case for memory; what one distinct event costs in memory.
// Prints, per workload, calls recorded per second, the slowdown against the unrecorded run, the
// distinct events, and the supervisor's peak RSS (getrusage of this process: the recording lives
// here), before and after.
// Usage: polc_record_bench [CALLS] [PATHS] [RUNS]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "launcher/record/recorder.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double run_plain(const std::string& mode, const std::string& n) {
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    execl(LOOP_PROGRAM, LOOP_PROGRAM, mode.c_str(), n.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return seconds_since(start);
}

bool measure(const char* label, const std::string& mode, const std::string& n, int runs) {
  const long rss_before = peak_rss_kib();
  std::vector<double> plain, recorded;
  uint64_t notified = 0;
  size_t events = 0;
  for (int i = 0; i < runs; ++i) {
    plain.push_back(run_plain(mode, n));
    polc::learn::Recording recording;
    polc::record::Options options;
    options.argv = {LOOP_PROGRAM, mode, n};
    std::string error;
    const auto start = Clock::now();
    const auto run = polc::record::run(options, recording, error);
    recorded.push_back(seconds_since(start));
    if (!run) {
      std::fprintf(stderr, "polc_record_bench: %s\n", error.c_str());
      return false;
    }
    notified = run->calls;
    events = recording.events.size();
  }
  const double p = median(plain), r = median(recorded);
  std::printf("| %s | %llu | %.3f s | %.3f s | %.0f | %.0fx | %zu | %ld KiB (%ld KiB before) |\n", label,
              static_cast<unsigned long long>(notified), p, r, static_cast<double>(notified) / r, r / p, events,
              peak_rss_kib(), rss_before);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string calls = argc > 1 ? argv[1] : "1000000";
  const std::string paths = argc > 2 ? argv[2] : "200000";
  const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  std::printf(
      "| workload | calls | unrecorded | recorded | calls/s recorded | slowdown | distinct events | supervisor peak RSS |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  if (!measure("getppid loop", "calls", calls, runs)) return 1;
  if (!measure("distinct missing paths", "paths", paths, runs)) return 1;
  return 0;
}
