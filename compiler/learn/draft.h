// Stage: learn. A recording -> a formatted, commented .sbx policy that allows what the workload
// did and little else: what `polc learn` writes. How each part is chosen is documented where it
// is decided:
//   module_choice.h    which std modules are imported;
//   call_conditions.h  which syscall arguments get conditions, and how values are written;
//   path_collapse.h    how paths become directory rules, and where they never go;
//   sensitive_paths.h  what is never granted;
//   draft_tests.h      the test blocks and assertions;
//   draft.cpp          the assembly (targets, sections, comments, the refusal loop).
// Same recording and options -> byte-identical text.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/learn/recording.h"

namespace polc::learn {

struct DraftOptions {
  std::string name = "learned";  // the policy's name (an identifier)
  bool hardening = true;         // import std.hardening
  // A boundary: observations it refuses are left out (and reported), so the draft can be proved
  // to grant nothing it refuses.
  const ir::Policy* within = nullptr;
};

struct Draft {
  std::string text;  // formatted .sbx
  // One line each: what was observed and not granted, and why.
  std::vector<std::string> left_out;
  // The same, by event: what the prover must not expect the draft to allow.
  std::map<Event, std::string> excluded;
  bool partial = false;  // some run was partial: the draft may miss what it did not get to do
};

Draft draft_policy(const Recording& rec, const DraftOptions& options);

}  // namespace polc::learn
