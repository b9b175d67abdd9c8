// Stage: driver. The build pipeline behind `polc build`: every selected backend on one analyzed
// policy, the coverage map over what they enforce, and the manifest, as the bundle's files.
#pragma once

#include <optional>
#include <string>

#include "compiler/bundle/coverage.h"
#include "compiler/driver/output_dir.h"
#include "compiler/verify/verify.h"

namespace polc::driver {

// The backends a build may select (`--backends`); all by default.
struct BackendSelection {
  bool seccomp = true;   // seccomp.<arch>.bpf / .txt, seccomp.oci.json
  bool landlock = true;  // landlock.json
  bool nftables = true;  // nftables.nft
  bool proxy = true;     // squid.conf, egress.json
};

// Parses "seccomp,landlock,..." (several values are joined). Returns an error message for an
// unknown name or an empty selection.
std::optional<std::string> parse_backends(const std::vector<std::string>& values, BackendSelection& out);

struct Bundle {
  Artifacts files;  // every file of DIR/<name>/, manifest.json included
  bundle::Coverage coverage;
  verify::Verdicts verdicts;
};

// Runs the selected backends and builds the coverage map and manifest. Returns nullopt when an
// error was reported to `engine` (nothing must then be written).
std::optional<Bundle> build_bundle(const ir::Policy& policy, const BackendSelection& selected, diag::Engine& engine);

}  // namespace polc::driver
