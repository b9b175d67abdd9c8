// Unit tests of the seccomp backend's isolation of libseccomp work (isolated.h): jobs that run in
// the small isolation worker keep the guarantees of a forked child: their bytes or their error
// come back, and a crash or a hang becomes an error within the deadline, never polc's own.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "backends/seccomp/isolated.h"

using namespace polc::backends::seccomp;

namespace {

std::optional<Bytes> reversed(const Bytes& input, std::string*) { return Bytes(input.rbegin(), input.rend()); }

std::optional<Bytes> refuses(const Bytes&, std::string* error) {
  *error = "refused";
  return std::nullopt;
}

std::optional<Bytes> aborts(const Bytes&, std::string*) { std::abort(); }

std::optional<Bytes> hangs(const Bytes&, std::string*) {
  for (;;) pause();
}

}  // namespace

TEST_CASE("isolation worker: a job's bytes and errors come back") {
  start_isolation_worker();
  std::string error;
  auto out = IsolatedJob(&reversed, Bytes{1, 2, 3}, 60).finish(&error);
  REQUIRE(out);
  CHECK(*out == Bytes{3, 2, 1});
  // Jobs run side by side, each in a process of its own.
  IsolatedJob first(&reversed, Bytes(100000, 7), 60);
  IsolatedJob second(&refuses, Bytes{}, 60);
  CHECK(second.finish(&error) == std::nullopt);
  CHECK(error == "refused");
  auto big = first.finish(&error);
  REQUIRE(big);
  CHECK(big->size() == 100000);
  CHECK(first.finish(&error) == std::nullopt);  // finish() is called once
}

TEST_CASE("isolation worker: a crash or a hang is an error, not polc's") {
  start_isolation_worker();
  std::string error;
  CHECK(IsolatedJob(&aborts, Bytes{}, 60).finish(&error) == std::nullopt);
  CHECK(error == "libseccomp crashed (signal " + std::to_string(SIGABRT) + ")");
  CHECK(IsolatedJob(&hangs, Bytes{}, 1).finish(&error) == std::nullopt);
  CHECK(error.find("did not finish within 1 s") != std::string::npos);
  // A job dropped before it finished is killed (the leak check sees no process left behind).
  { IsolatedJob dropped(&hangs, Bytes{}, 60); }
  // The worker still serves after all of that.
  CHECK(IsolatedJob(&reversed, Bytes{5}, 60).finish(&error) == Bytes{5});
}
