// Stage: driver. The build pipeline behind `polc build`: every selected backend on one analyzed
// policy, the coverage map over what they enforce, and the manifest, as the bundle's files.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/bundle/coverage.h"
#include "compiler/bundle/manifest.h"
#include "compiler/driver/output_dir.h"
#include "compiler/verify/verify.h"

namespace polc::driver {

// The backends a build runs, by their registry names (backends/registry.h); all by default.
using BackendSelection = std::set<std::string, std::less<>>;
BackendSelection all_backends();

// Parses "seccomp,landlock,..." (several values are joined) into `out`; no values leave it as it
// is. Returns an error message for an unknown name or an empty selection.
std::optional<std::string> parse_backends(const std::vector<std::string>& values, BackendSelection& out);

// The selection's names, sorted, as the manifest's "backends" lists them.
std::vector<std::string> backend_names(const BackendSelection& selected);

// A decision as policies write it, for attribution.json and sbx-exec's events: "errno(EACCES)"
// (the errno's name, which every target shares), "kill_process", "trace(7)".
std::string decision_text(const ir::Action& action);

// What a build puts in the bundle beside the backends' files.
struct BuildInputs {
  BackendSelection selected = all_backends();
  std::vector<bundle::SourceFile> sources;  // placed under sources/ and listed in the manifest
  std::optional<std::string> expires;       // canonical UTC time, or none
  // False for `polc check`, which only wants the diagnostics: the manifest is then not built
  // (it reports nothing, and on large policies its JSON is a fifth of the check's time).
  bool manifest = true;
  // Called on the caller's thread while the proofs run, with the policy's name and the files
  // known by then (the backends' and attribution.json; the bundle keeps them unchanged), so that
  // `polc build` writes them meanwhile (output_dir.h, StagedDirectory). Not called when a backend
  // failed; the build may still fail after it.
  std::function<void(const std::string& policy_name, const Artifacts& files)> while_proving;
};

struct Bundle {
  Artifacts files;  // every file of DIR/<name>/, manifest.json included
  bundle::Coverage coverage;
  verify::Verdicts verdicts;
};

// Runs the selected backends and builds the coverage map and manifest; the sources are added as
// files. Returns nullopt when an
// error was reported to `engine` (nothing must then be written).
std::optional<Bundle> build_bundle(const ir::Policy& policy, const BuildInputs& inputs, diag::Engine& engine);

}  // namespace polc::driver
