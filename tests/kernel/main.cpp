// The doctest main of the kernel tests. Exits 77 (CTest's SKIP_RETURN_CODE) when nothing failed
// but no kernel check could be carried out on this machine, so an untestable run shows up as
// skipped instead of passing.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <iostream>

#include "tests/kernel/expectations.h"

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int rc = context.run();
  if (context.shouldExit() || rc != 0) return rc;
  const auto& t = kernel_test::tally;
  std::cout << "kernel checks: " << t.passed << " passed, " << t.failed << " failed, " << t.untestable
            << " not testable here\n";
  if (t.passed == 0 && t.untestable > 0) {
    std::cout << "SKIP: none of the selected kernel checks can run on this machine (see NOT TESTED)\n";
    return 77;
  }
  return rc;
}
