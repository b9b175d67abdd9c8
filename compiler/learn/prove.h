// Stage: learn. The proof that comes with a draft, made in the same run:
// (1) the draft compiles and passes `polc check --strict`: the front end, then (through
//     `backend_check`, the driver's build pipeline without output) the backends, their
//     verification and the coverage check; an error or a warning is a problem;
// (2) replay: every observation of the recording that the draft did not leave out is allowed by
//     it, per the IR's reference evaluator (replay.h);
// (3) with `within`: the diff engine (polc diff's syscall, filesystem and network parts) finds no
//     request the draft permits that the boundary refuses.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/learn/recording.h"

namespace polc::learn {

struct Proof {
  bool ok = false;
  // One line each: a strict-check diagnostic, an observation the draft refuses, a request the
  // draft permits beyond the boundary.
  std::vector<std::string> problems;
};

// What `polc check` runs after the front end (the driver's build_bundle with manifest = false),
// reporting to `engine`. Passed in so that this library does not depend on the driver. Empty: the
// front end alone (assertions and tests are still proved by it).
using BackendCheck = std::function<void(const ir::Policy&, diag::Engine&)>;

struct ProveOptions {
  const ir::Policy* within = nullptr;
  // Observations the draft left out on purpose (Draft::excluded): not replayed.
  const std::map<Event, std::string>* left_out = nullptr;
  BackendCheck backend_check;
};

Proof prove(const std::string& draft_text, const Recording& rec, const ProveOptions& options);

}  // namespace polc::learn
