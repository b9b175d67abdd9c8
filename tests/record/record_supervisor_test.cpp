// A hostile workload against a supervisor without privileges (the usual `polc learn`): what it
// hides must not let a judged call through, and the supervisor's own descriptors stay its own.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record_harness.h"

namespace polc::record::test {

TEST_CASE("the workload cannot take the supervisor's descriptors (the listener) with pidfd_getfd") {
  const Recorded r = record_unprivileged({kWorkload, "stealfds"});
  CHECK(r.run.exit_code == 0);  // 4: a descriptor of the supervisor was taken
}

}  // namespace polc::record::test
