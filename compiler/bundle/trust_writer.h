// Stage: bundle. A trust file's text (polc.trust/1, see trust.h and docs/bundle.md), as `polc trust`
// writes it: the same Trust always gives the same bytes, keys in the order they were added,
// policies by name, two-space indentation, so that a trust file kept in git diffs cleanly.
#pragma once

#include <string>

#include "compiler/bundle/trust.h"

namespace polc::bundle {

std::string trust_document(const Trust& trust);

}  // namespace polc::bundle
