// Stage: report. The governance review report behind `polc inspect`: what a bundle's policy
// grants and denies, which artifact enforces each statement, what was proved, and who signed.
// A reviewer should be able to approve or reject a bundle from this page alone.
#pragma once

#include <string>
#include <vector>

#include "compiler/bundle/bundle_reader.h"
#include "compiler/bundle/trust.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::report {

// Whether the bundle's artifacts are what its bundled sources compile to with this polc.
struct RebuildCheck {
  bool same_compiler = false;           // the manifest's compiler is this polc
  std::vector<std::string> mismatched;  // artifacts whose rebuilt bytes differ (or are missing/extra)
};

struct InspectInput {
  const ir::Policy& policy;              // rebuilt from the bundle's own sources
  const diag::SourceManager& sources;    // holds those sources: statement text for each Origin
  const bundle::BundleContents& bundle;  // intact; its manifest has coverage and verification
  const bundle::TrustReport* trust;      // nullptr when no trust file was given
  const RebuildCheck& rebuild;
};

std::string inspect_text(const InspectInput& in);
std::string inspect_markdown(const InspectInput& in);
// One JSON document (pretty-printed, stable key order) with the same content.
std::string inspect_json(const InspectInput& in);

}  // namespace polc::report
