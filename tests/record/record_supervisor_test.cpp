// A hostile workload against a supervisor without privileges (the usual `polc learn`): what it
// hides must not let a judged call through, and the supervisor's own descriptors stay its own.
#include <doctest/doctest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "launcher/record/exec_image.h"
#include "record_harness.h"

namespace polc::record::test {

namespace {

// A file (and its directory) everyone may read: the unprivileged supervisor's workload too.
std::string public_file(const TempDir& dir, const std::string& name) {
  REQUIRE(chmod(dir.path().c_str(), 0755) == 0);
  std::ofstream(dir / name) << "x";
  REQUIRE(chmod((dir / name).c_str(), 0644) == 0);
  return dir / name;
}

const learn::Seen* seen_call(const learn::Recording& rec, const char* name) {
  for (const auto& [event, seen] : rec.events)
    if (const auto* call = std::get_if<learn::Call>(&event); call && call->name == name) return &seen;
  return nullptr;
}

}  // namespace

TEST_CASE("judged, an open the supervisor cannot decode (an undumpable workload) is refused") {
  TempDir dir;
  const std::string secret = public_file(dir, "secret");
  Options options;
  options.judge = [&](const learn::Event& e) {
    const auto* a = std::get_if<learn::FileAccess>(&e);
    return a && a->path == secret ? Verdict{Verdict::Kind::Refuse, EACCES} : Verdict{};
  };
  const Recorded r = record_unprivileged({kWorkload, "undumpable", "refused", secret}, options);
  CHECK(r.run.exit_code == 0);  // 9: the open the policy refuses succeeded
  CHECK(r.run.undecidable >= 1);
  const learn::Seen* open = seen_call(r.recording, "openat");
  REQUIRE(open);
  CHECK(open->refused);
  CHECK(open->err == EACCES);
  // Round trip: the count is in the recording's JSON.
  std::string error;
  const auto back = learn::recording_from_json(learn::to_json(r.recording), error);
  REQUIRE(back);
  CHECK(back->runs.front().undecidable == r.run.undecidable);
}

TEST_CASE("unjudged, an undumpable workload's calls run and are recorded as far as they can be") {
  TempDir dir;
  const std::string secret = public_file(dir, "secret");
  const Recorded r = record_unprivileged({kWorkload, "undumpable", "refused", secret});
  CHECK(r.run.exit_code == 9);
  CHECK(r.run.undecidable == 0);
  const learn::Seen* open = seen_call(r.recording, "openat");
  REQUIRE(open);
  CHECK_FALSE(open->refused);
}

TEST_CASE("judged, a connect on a descriptor that is not open is no undecidable call: it fails EBADF") {
  Options options;
  options.judge = [](const learn::Event&) { return Verdict{}; };
  const Recorded r = record_unprivileged({kWorkload, "badconnect"}, options);
  CHECK(r.run.exit_code == 0);
  CHECK(r.run.undecidable == 0);
}

TEST_CASE("the workload cannot take the supervisor's descriptors (the listener) with pidfd_getfd") {
  const Recorded r = record_unprivileged({kWorkload, "stealfds"});
  CHECK(r.run.exit_code == 0);  // 4: a descriptor of the supervisor was taken
}


TEST_CASE("interpreter_of never opens what is not a regular file (a FIFO or device swapped in)") {
  TempDir dir;
  const std::string fifo = dir / "fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const int watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  REQUIRE(watch >= 0);
  REQUIRE(inotify_add_watch(watch, fifo.c_str(), IN_OPEN) >= 0);
  bool unreadable = false;
  CHECK_FALSE(interpreter_of(fifo, &unreadable));
  CHECK_FALSE(unreadable);
  char buffer[4096];
  CHECK(read(watch, buffer, sizeof buffer) < 0);  // no IN_OPEN: the FIFO was not opened
  close(watch);
}

}  // namespace polc::record::test
