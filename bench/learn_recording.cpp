// The recorder's cost (launcher/record, `polc learn`): a workload of N getppid calls (default
// 1,000,000) run unrecorded and under polc::record::run, best of RUNS (default 3). Prints calls
// recorded per second, the slowdown against the unrecorded loop, and the supervisor's peak RSS
// (getrusage of this process, before and after), which the recording's bound on distinct events
// keeps flat however many calls there are.
// Usage: polc_record_bench [N] [RUNS]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "launcher/record/recorder.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

double run_plain(const std::string& calls) {
  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    execl(LOOP_PROGRAM, LOOP_PROGRAM, calls.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string calls = argc > 1 ? argv[1] : "1000000";
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  const long rss_before = peak_rss_kib();
  double plain = 1e9, recorded = 1e9;
  uint64_t notified = 0;
  size_t events = 0;
  for (int i = 0; i < runs; ++i) {
    plain = std::min(plain, run_plain(calls));
    polc::learn::Recording recording;
    polc::record::Options options;
    options.argv = {LOOP_PROGRAM, calls};
    std::string error;
    const auto start = Clock::now();
    const auto run = polc::record::run(options, recording, error);
    const double took = seconds_since(start);
    if (!run) {
      std::fprintf(stderr, "polc_record_bench: %s\n", error.c_str());
      return 1;
    }
    recorded = std::min(recorded, took);
    notified = run->calls;
    events = recording.events.size();
  }
  const long rss_after = peak_rss_kib();
  std::printf("| workload | calls | unrecorded | recorded | calls/s recorded | slowdown | distinct events | supervisor peak RSS |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  std::printf("| getppid loop | %llu | %.3f s | %.3f s | %.0f | %.0fx | %zu | %ld KiB (%ld KiB before) |\n",
              static_cast<unsigned long long>(notified), plain, recorded, static_cast<double>(notified) / recorded,
              recorded / plain, events, rss_after, rss_before);
  return 0;
}
