// The recorder's loop on real workloads: every call arrives, the run's status is the workload's,
// nothing of the recorder's own setup is recorded, nothing of the workload is left running.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <fstream>

#include "record_harness.h"

namespace polc::record::test {

TEST_CASE("/bin/true: its execve is the first call recorded, and its exit status is kept") {
  const Recorded r = record({"true"});
  CHECK(r.run.exit_code == 0);
  CHECK_FALSE(r.run.exit_signal.has_value());
  CHECK_FALSE(r.run.partial);
  CHECK(r.run.argv == std::vector<std::string>{"true"});
  CHECK(r.run.calls > 5);
  CHECK(r.run.processes == 1);
  CHECK(calls_named(r.recording, "execve") == 1);
  CHECK(calls_named(r.recording, "exit_group") == 1);
  REQUIRE(r.recording.runs.size() == 1);
  CHECK(r.recording.runs[0].id == 1);
}

TEST_CASE("nothing of the recorder's setup appears: no prctl, seccomp, pipe write, signal mask or fork") {
  const Recorded r = record({"true"});
  for (const char* name : {"prctl", "seccomp", "write", "fcntl", "rt_sigprocmask", "getppid", "pipe2", "clone"})
    CHECK_MESSAGE(calls_named(r.recording, name) == 0, std::string(name));
}

TEST_CASE("a C workload: each of its calls is counted, its exit status is kept") {
  const Recorded r = record({kWorkload, "getppid", "1000", "exit", "3"});
  CHECK(r.run.exit_code == 3);
  CHECK(calls_named(r.recording, "getppid") == 1000);
  const auto forms = call_forms(r.recording, "getppid");
  REQUIRE(forms.size() == 1);
  CHECK(forms[0].arch == arch::Arch::x86_64);
  CHECK(forms[0].recorded == 0);
}

TEST_CASE("a workload killed by a signal: the signal is the run's status") {
  const Recorded r = record({"sh", "-c", "kill -9 $$"});
  CHECK(r.run.exit_signal == SIGKILL);
  CHECK_FALSE(r.run.exit_code.has_value());
}

TEST_CASE("kept arguments: socket's domain, type and protocol") {
  const Recorded r = record({kWorkload, "socket"});
  const auto forms = call_forms(r.recording, "socket");
  REQUIRE(forms.size() == 1);
  CHECK(forms[0].recorded == 0b111);
  CHECK(forms[0].args[0] == 2);  // AF_INET
  CHECK(forms[0].args[1] == 1);  // SOCK_STREAM
  CHECK(forms[0].args[2] == 0);
  CHECK(forms[0].args[3] == 0);
}

TEST_CASE("the descendants the workload leaves are killed when it ends") {
  TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  const Recorded r = record({kWorkload, "orphan", dir / "pid"});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  CHECK(r.run.exit_code == 0);
  CHECK(r.run.processes >= 2);  // the grandchild may be killed before its first call
  pid_t orphan = 0;
  std::ifstream(dir / "pid") >> orphan;
  REQUIRE(orphan > 0);
  CHECK(kill(orphan, 0) == -1);
  CHECK(errno == ESRCH);
}

TEST_CASE("a command that cannot be started is an error, not an empty recording") {
  learn::Recording rec;
  std::string error;
  Options options;
  options.argv = {"polc-no-such-command"};
  CHECK_FALSE(run(options, rec, error).has_value());
  CHECK(error == "command not found: polc-no-such-command");
  options.argv = {"/nonexistent/program"};
  CHECK_FALSE(run(options, rec, error).has_value());
  CHECK(error.find("cannot execute /nonexistent/program") == 0);
  CHECK(rec.runs.empty());
  CHECK(rec.events.empty());
}

TEST_CASE("a file the kernel cannot execute is an error, not an empty recording") {
  TempDir dir;
  std::ofstream(dir / "garbage") << "\x01\x02 not a program";
  REQUIRE(chmod((dir / "garbage").c_str(), 0755) == 0);
  learn::Recording rec;
  std::string error;
  Options options;
  options.argv = {dir / "garbage"};
  CHECK_FALSE(run(options, rec, error).has_value());
  CHECK(error == "cannot execute " + (dir / "garbage") + ": Exec format error");
  CHECK(rec.runs.empty());
}

TEST_CASE("the threads of a process: one process, each thread's calls recorded") {
  const Recorded r = record({kWorkload, "thread"});
  CHECK(r.run.exit_code == 0);
  CHECK(r.run.processes == 1);
  CHECK(calls_named(r.recording, "clone3") + calls_named(r.recording, "clone") >= 1);
  CHECK(has_access(r.recording, "/dev/null", "read_file"));
}

TEST_CASE("several runs add up in one recording") {
  learn::Recording rec;
  std::string error;
  Options options;
  options.argv = {"true"};
  REQUIRE(run(options, rec, error).has_value());
  options.run_id = 2;
  REQUIRE(run(options, rec, error).has_value());
  CHECK(rec.runs.size() == 2);
  for (const auto& [event, seen] : rec.events)
    if (const auto* call = std::get_if<learn::Call>(&event); call && call->name == "execve")
      CHECK(seen.runs == std::set<int>{1, 2});
}

}  // namespace polc::record::test
