// Stage: learn. What a run needed that a policy refuses, as additions to the policy's source: a
// unified diff of the .sbx and the same additions as data (`polc learn --against`, `--from`).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/source_manager.h"
#include "compiler/ir/ir.h"
#include "compiler/learn/recording.h"
#include "compiler/learn/rule_text.h"

namespace polc::learn {

// One rule the patch adds, with the observations behind it.
struct Addition {
  RuleText rule;
  std::vector<std::string> observations;  // what was refused, as `describe` writes it
  uint64_t count = 0;                     // occurrences, summed over the observations
  std::set<int> runs;
};

// A refusal no added rule can undo: a deny or kill statement decided it (the most restrictive
// rule wins, and filesystem and network denies beat every allow).
struct Blocked {
  std::string observation;
  std::vector<std::string> decided_by;  // "file:line: statement text"
};

struct Patch {
  std::vector<Addition> additions;  // in section order, then by rule text
  std::vector<Blocked> blocked;
  std::vector<std::string> inexpressible;  // refusals no rule of the language can allow (and why)
  std::string patched;                     // the policy source with the additions
  std::string diff;                        // unified diff from `source` to `patched` ("" when none)
};

// The additions to `file` (parsed from `source`, shown as `display_path` in the diff) that allow
// each event of `recording` that `policy` refuses or that the recording marks refused. Additions go
// at the end of the policy's first section of their kind, or into a new section before the
// policy's closing brace when it has none (or its closing brace shares a line).
Patch make_patch(const std::string& display_path, const std::string& source, const ast::File& file,
                 const diag::SourceManager& sources, const ir::Policy& policy, const Recording& recording);

// One event as a person reads it: `socket(AF_INET=2, 524289, 0) on x86_64`, `read_file
// /etc/passwd`, `connect tcp 127.0.0.1 port 8080`.
std::string describe(const Event& event);

}  // namespace polc::learn
