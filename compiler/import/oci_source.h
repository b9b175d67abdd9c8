// Stage: import. Writes the translated rules as .sbx source: a header comment saying where the
// policy came from and what was assumed, one statement per applied entry with its comments, and a
// closing comment block listing the entries that were skipped and why.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/arch/arch.h"
#include "compiler/import/oci_profile.h"
#include "compiler/import/oci_rules.h"

namespace polc::import {

struct SourceHeader {
  std::string policy_name;
  std::string profile_name;  // the profile's base name, never a full path
  std::vector<arch::Arch> targets;
  std::vector<std::string> caps;
  bool docker_default_caps = false;
  std::optional<KernelVersion> kernel;
};

// The policy's text. Statements stay on one line; the formatter wraps them.
std::string write_source(const SourceHeader& header, const ImportedRules& rules);

}  // namespace polc::import
