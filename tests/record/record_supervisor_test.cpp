// A hostile workload against a supervisor without privileges (the usual `polc learn`): what it
// hides must not let a judged call through, and the supervisor's own descriptors stay its own.
#include <doctest/doctest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/record/exec_image.h"
#include "record_harness.h"

namespace polc::record::test {

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
