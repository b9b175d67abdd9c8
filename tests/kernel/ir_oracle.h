// A second opinion on each expectation, read from `polc ir`: which action the policy's IR gives
// a call, evaluated here independently of the BPF backend. The hand-written table in
// expectations.cpp must agree with it, so a wrong table entry (or an IR that no longer says what
// the table's justification claims) fails loudly instead of testing the wrong thing.
//
// Semantics (docs/language.md, docs/cli.md "The IR as JSON"): of the rules for the call's number
// whose `when` matches, the most restrictive action wins (kill_process > kill_thread > trap >
// errno > user_notif > trace > log > allow); with no matching rule the default applies. A call
// made under an architecture the policy does not target is killed.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/kernel/probes.h"

namespace kernel_test {

struct Decision {
  std::string kind;   // "allow", "errno", "kill_process", ...
  int data = 0;       // the errno for "errno"
  std::string by;     // the deciding rule's origins, "default", or why the architecture decides
  std::string error;  // set when the IR could not be evaluated
};

Decision decide(const nlohmann::json& ir, const Probe& probe);

// Every errno the policy's filter can answer with (its default and its errno rules), so a test can
// tell when a kernel error is indistinguishable from a filter's answer.
std::set<int> filter_errnos(const nlohmann::json& ir);

}  // namespace kernel_test
