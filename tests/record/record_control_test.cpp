// What the supervisor decides besides recording: a Judge's refusals and kills, the timeout, and
// an interrupt sent to the supervisor.
#include <doctest/doctest.h>
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "record_harness.h"

namespace polc::record::test {

namespace {

bool is_call(const learn::Event& e, const char* name) {
  const auto* call = std::get_if<learn::Call>(&e);
  return call && call->name == name;
}

const learn::Seen* seen_call(const learn::Recording& rec, const char* name) {
  for (const auto& [event, seen] : rec.events)
    if (is_call(event, name)) return &seen;
  return nullptr;
}

}  // namespace

TEST_CASE("a Judge's refusal: the call fails with its errno and is recorded as refused") {
  Options options;
  options.judge = [](const learn::Event& e) {
    return is_call(e, "getuid") ? Verdict{Verdict::Kind::Refuse, EACCES} : Verdict{};
  };
  const Recorded r = record({kWorkload, "getuid"}, options);
  CHECK(r.run.exit_code == EACCES);  // the workload exits with the errno it got
  const learn::Seen* seen = seen_call(r.recording, "getuid");
  REQUIRE(seen);
  CHECK(seen->refused);
  CHECK(seen->err == EACCES);
  const learn::Seen* other = seen_call(r.recording, "execve");
  REQUIRE(other);
  CHECK_FALSE(other->refused);
}

TEST_CASE("a Judge's refusal of a file access refuses the call that needed it") {
  TempDir dir;
  Options options;
  options.judge = [&](const learn::Event& e) {
    const auto* a = std::get_if<learn::FileAccess>(&e);
    return a && a->right == "make_dir" ? Verdict{Verdict::Kind::Refuse, EROFS} : Verdict{};
  };
  const Recorded r = record({kWorkload, "mkdir", dir / "x"}, options);
  CHECK(r.run.exit_code == 2);  // the workload's mkdir failed
  const learn::Seen* seen = find(r.recording, learn::FileAccess{dir / "x", "make_dir", learn::FileAccess::Kind::Missing});
  REQUIRE(seen);
  CHECK(seen->refused);
  CHECK(seen->err == EROFS);
}

TEST_CASE("a Judge's kill: the calling process dies with SIGKILL") {
  Options options;
  options.judge = [](const learn::Event& e) { return is_call(e, "getuid") ? Verdict{Verdict::Kind::Kill} : Verdict{}; };
  const Recorded r = record({kWorkload, "getuid", "exit", "0"}, options);
  CHECK(r.run.exit_signal == SIGKILL);
  const learn::Seen* seen = seen_call(r.recording, "getuid");
  REQUIRE(seen);
  CHECK(seen->refused);
  CHECK(seen->err == 0);
  CHECK(seen_call(r.recording, "exit_group") == nullptr);
}

TEST_CASE("a workload that never ends: killed at the timeout, the run partial") {
  Options options;
  options.timeout_seconds = 0.5;
  const auto start = std::chrono::steady_clock::now();
  const Recorded r = record({kWorkload, "getppid", "3", "sleep", "100"}, options);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  CHECK(r.run.partial);
  CHECK(r.run.partial_reason == "timeout after 0.5 s");
  CHECK(r.run.exit_signal == SIGKILL);
  CHECK(calls_named(r.recording, "getppid") == 3);  // what it did before is kept
  REQUIRE(r.recording.runs.size() == 1);
  CHECK(r.recording.runs[0].partial);
}

TEST_CASE("a SIGTERM sent to the supervisor is passed on; the run is partial, interrupted") {
  // The sender blocks the signal itself, so that the kernel leaves it to the supervisor's
  // signalfd rather than delivering it to the sending thread.
  // It sends once the workload runs (is this process's child): the supervisor blocks the signal
  // before it starts the workload.
  const pid_t self = getpid();
  std::thread sender([self] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    const std::string children = "/proc/self/task/" + std::to_string(self) + "/children";
    for (int i = 0; i < 1000; ++i) {
      pid_t child = 0;
      if (std::ifstream(children) >> child) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    kill(self, SIGTERM);
  });
  const Recorded r = record({kWorkload, "sleep", "100"});
  sender.join();
  CHECK(r.run.partial);
  CHECK(r.run.partial_reason == "interrupted");
  CHECK(r.run.exit_signal == SIGTERM);
}

TEST_CASE("a Judge that refuses the workload's own execve: a run that shows the refusal") {
  Options options;
  options.judge = [](const learn::Event& e) {
    return std::holds_alternative<learn::Exec>(e) ? Verdict{Verdict::Kind::Refuse, EACCES} : Verdict{};
  };
  const Recorded r = record({"true"}, options);
  CHECK(r.run.exit_code == 127);
  bool refused = false;
  for (const auto& [event, seen] : r.recording.events)
    if (std::holds_alternative<learn::Exec>(event)) refused = seen.refused && seen.err == EACCES;
  CHECK(refused);
  // The refusal is the Exec's: the execve call itself is not what the Judge refused.
  const learn::Seen* call = seen_call(r.recording, "execve");
  REQUIRE(call);
  CHECK_FALSE(call->refused);
}

}  // namespace polc::record::test
