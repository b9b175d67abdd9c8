// Stage: bundle. attribution.json: for each layer the build selected, the statements that decide
// its refusals, in a form a launcher can match against what the kernel or the proxy reports
// (compiler/bundle/attribution_schema.h is the format; launcher/telemetry/attribution.h the
// lookup).
//
// Built here, beside the manifest, rather than by a backend: it describes every layer at once
// (a seccomp refusal and a Landlock one are attributed from the same file), it needs the
// manifest's spelling of locations (sources relabelled to the bundle's own copies, which backends
// never see), and it belongs to no single backend's files. Being listed in the manifest, it is
// digested and signed like every artifact, so a launcher attributes only from what reviewers
// signed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "compiler/bundle/attribution_schema.h"
#include "compiler/bundle/manifest.h"
#include "compiler/ir/ir.h"

namespace polc::bundle {

// The layers a build selected, by the registry's names (backends/registry.cpp); each gets its
// section of attribution.json.
struct AttributionLayers {
  bool seccomp = false;
  bool landlock = false;
  bool nftables = false;
  bool proxy = false;  // a section only when the policy names a proxy (else no proxy runs)
  bool os = false;     // the OS layer (os.json): limits, mounts, workspaces
};

// How a decision is written: ir::action_text ("errno(13)") unless the caller knows the errno
// names (the driver does: "errno(EACCES)", as policies write it).
using DecisionSpelling = std::function<std::string(const ir::Action&)>;

// Locations are relabelled to the bundle's copies of the sources, as manifest_of does.
Attribution attribution_of(const ir::Policy& policy, const AttributionLayers& layers,
                           const std::vector<SourceFile>& sources, const DecisionSpelling& spell = ir::action_text);

}  // namespace polc::bundle
