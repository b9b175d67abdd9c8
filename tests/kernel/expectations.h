// The expectation table: for every example policy and probe, what the policy says must happen to
// the call (allowed, a specific errno, or killed), and the policy/stdlib lines that decide it.
// judge() compares a kernel run with an expectation.
#pragma once

#include <array>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "tests/kernel/harness.h"
#include "tests/kernel/probes.h"

namespace kernel_test {

struct Expected {
  enum class Kind { allow, errno_, kill };
  Kind kind;
  int err = 0;  // for errno_
};
inline constexpr Expected ALLOW{Expected::Kind::allow};
inline constexpr Expected KILL{Expected::Kind::kill};
constexpr Expected ERRNO(int e) { return Expected{Expected::Kind::errno_, e}; }

std::string describe(const Expected& e);

// The table's columns, in this order. The test fails if examples/ holds a policy not listed here.
inline constexpr std::array<std::string_view, 5> kExamples = {"python_agent", "node_agent", "ci_build",
                                                              "minimal_static", "os_layer"};

struct Row {
  const Probe* probe;
  std::array<Expected, kExamples.size()> expected;  // one per kExamples entry
  std::string_view why;                             // the lines that decide it
};

std::span<const Row> table();

// The verdict on one filtered run, given the baseline (no filter) run of the same probe and the
// errnos the filter itself can answer with.
struct Verdict {
  enum class Kind { pass, fail, untestable };
  Kind kind;
  std::string detail;  // for fail and untestable
};
Verdict judge(const Expected& expected, const Outcome& filtered, const Outcome& baseline,
              const std::set<int>& filter_errnos);

// Kernel verdicts so far in this process; main() turns "nothing testable" into CTest's skip code.
struct Tally {
  int passed = 0;
  int failed = 0;
  int untestable = 0;
};
inline Tally tally;

}  // namespace kernel_test
