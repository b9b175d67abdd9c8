// Stage: driver. The reproducibility check behind `polc inspect` and `polc sign`: a bundle is
// rebuilt from the sources it carries (never from the disk or polc's own standard library), with
// the backends and expiry its manifest records, and every rebuilt file must be byte-identical to
// the bundle's. It is what makes reading the sources (and the review page built from them) the
// same as reading the bytes a launcher applies.
#pragma once

#include <optional>

#include "compiler/bundle/bundle_reader.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/report/inspect_report.h"
#include "compiler/ir/ir.h"

namespace polc::driver {

struct Rebuilt {
  ir::Policy policy;
  report::RebuildCheck check;
};

// Rebuilds an intact bundle. nullopt when its sources do not compile (reported to `engine`).
std::optional<Rebuilt> rebuild(diag::Engine& engine, const bundle::BundleContents& b);

// Reports E0815 unless the rebuild matched byte for byte under this same polc: a bundle made by
// another polc cannot be checked, and is refused rather than trusted (inspect it with the polc
// that built it). Returns true when the bundle is reproduced.
bool report_rebuild(diag::Engine& engine, const bundle::BundleContents& b, const report::RebuildCheck& check);

}  // namespace polc::driver
