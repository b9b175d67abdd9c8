// Stage: backends/landlock. The backend's entry point: the IR to landlock.json, a launcher-neutral
// description of the Landlock ruleset (format in docs/backends/landlock.md), and what it enforces.
#pragma once

#include <optional>
#include <string>

#include "backends/backend.h"
#include "backends/enforcement.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::backends::landlock {

struct LandlockArtifacts {
  std::string json;  // landlock.json
  Enforcements enforced;
  // Deny rules that overlap a grant (E0606 unless another selected backend enforces them).
  std::vector<Unenforceable> unenforceable;
};

// Returns nullopt after reporting errors to `engine`. A deny rule Landlock cannot enforce is not
// an error here: it is in `unenforceable`, which the driver reports as E0606 when no other
// selected backend enforces it.
std::optional<LandlockArtifacts> emit(const ir::Policy& policy, diag::Engine& engine);

// The backend's entry point (backends/backend.h): emit's landlock.json and its claims.
std::optional<BackendOutput> run(const ir::Policy& policy, diag::Engine& engine, const EmitHooks& hooks = {});

}  // namespace polc::backends::landlock
