// Workloads that test the recorder's bounds: many processes, paths no policy language would
// write, pointers into nothing, another ABI.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>

#include "record_harness.h"

namespace polc::record::test {

TEST_CASE("1000 forked children: every process and every call is seen") {
  const auto start = std::chrono::steady_clock::now();
  const Recorded r = record({kWorkload, "fork", "1000"});
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("1000 children recorded in " << seconds << " s, " << r.run.calls << " calls");
  CHECK(r.run.exit_code == 0);
  CHECK(r.run.processes == 1001);
  CHECK(calls_named(r.recording, "exit_group") == 1001);
  CHECK(calls_named(r.recording, "clone") == 1000);
  CHECK(seconds < 60);
}

TEST_CASE("a path with a newline and an invalid UTF-8 byte is recorded exactly, as bytes") {
  TempDir dir;
  const std::string hostile = dir / "line\nbreak\xff";
  const Recorded r = record({kWorkload, "write", hostile});
  CHECK(r.run.exit_code == 0);
  CHECK(find(r.recording, learn::FileAccess{hostile, "make_reg", learn::FileAccess::Kind::Missing}));
  CHECK(find(r.recording, learn::FileAccess{hostile, "write_file", learn::FileAccess::Kind::Missing}));
  // The JSON form escapes what is not UTF-8 rather than failing.
  CHECK_FALSE(learn::to_json(r.recording).empty());
}

TEST_CASE("a path pointer into unmapped memory: the call is recorded, no file access") {
  auto accesses = [](const learn::Recording& rec) {
    std::set<learn::FileAccess> out;
    for (const auto& [event, seen] : rec.events)
      if (const auto* a = std::get_if<learn::FileAccess>(&event)) out.insert(*a);
    return out;
  };
  const Recorded plain = record({kWorkload});
  const Recorded r = record({kWorkload, "badpointer"});
  CHECK(r.run.exit_code == 0);
  CHECK(calls_named(r.recording, "openat") == calls_named(plain.recording, "openat") + 1);
  CHECK(accesses(r.recording) == accesses(plain.recording));
}

TEST_CASE("an int 0x80 call of an x86_64 process is recorded as an x86 call") {
  const Recorded r = record({kWorkload, "int80"});
  if (r.run.exit_code == 3) {
    MESSAGE("skipped: this kernel runs no i386 calls");
    return;
  }
  CHECK(r.run.exit_code == 0);
  bool seen = false;
  for (const auto& [event, count] : r.recording.events)
    if (const auto* c = std::get_if<learn::Call>(&event); c && c->arch == arch::Arch::x86 && c->nr == 20)
      seen = c->name == "getpid";
  CHECK(seen);
}

TEST_CASE("the event bound: past max_events new events are dropped, counted, the run partial") {
  learn::Recording rec;
  rec.max_events = 3;
  std::string error;
  Options options;
  options.argv = {"true"};
  const auto r = run(options, rec, error);
  REQUIRE(r.has_value());
  CHECK(rec.events.size() == 3);
  CHECK(r->dropped > 0);
  CHECK(r->partial);
  CHECK(r->partial_reason == "event bound reached");
}

}  // namespace polc::record::test
