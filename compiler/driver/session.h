// Stage: driver. Steps shared by the verbs: reading a file into the engine, running the front end,
// and rendering diagnostics with the exit status that follows from them.
#pragma once

#include <optional>
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/driver/options.h"
#include "compiler/ir/ir.h"
#include "compiler/sema/loader.h"

namespace polc::driver {

// Loads and analyzes `path`. Returns the IR of a policy without errors; nullopt otherwise (and for
// modules, which are only checked). `sources`, when given, receives every source file that shaped
// the policy (for the bundle).
std::optional<ir::Policy> analyze_file(diag::Engine& engine, const std::string& path, const CommonOptions& options,
                                       std::vector<sema::LoadedSource>* sources = nullptr);

// Applies `--solver-rlimit N` (the verifier's per-query step limit) when given. Returns a usage
// message for a malformed value.
std::optional<std::string> apply_solver_options(const CommonOptions& options);

// Renders the engine's diagnostics (human text to stderr; JSON and SARIF to stdout, so they can be
// redirected to a file) and returns kExitErrors when there are errors, or warnings under --werror.
// `to_stderr` forces stderr for every format (for verbs whose stdout carries their own output).
int report(const diag::Engine& engine, const CommonOptions& options, bool to_stderr = false);

}  // namespace polc::driver
