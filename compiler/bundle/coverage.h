// Stage: bundle. The coverage map: every enforceable statement of the policy, and the artifacts
// that enforce it. A statement no selected artifact enforces in full fails the build (E0605): the
// policy would promise something nothing keeps.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/enforcement.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::bundle {

struct CoverageEntry {
  ir::Origin origin;
  std::string statement;  // the statement's first source line, trimmed ("" for implicit rules)
  backends::Enforcements enforced_by;  // sorted by artifact
  // Parts that must each be enforced in full when no artifact enforces the whole statement
  // (backends::kPartAddresses, kPartDomains); empty for statements without parts.
  std::vector<std::string> parts;
};

struct Coverage {
  std::vector<CoverageEntry> entries;  // sorted by (module, where)
};

// Every statement that asks for enforcement (syscall, filesystem and network rules, scopes, the
// proxy), joined with what the backends reported. Syscall rules are attributed to the seccomp
// programs from the IR itself: each program decides every rule of its arch. `seccomp_files` maps
// each target to its program file ("" when the seccomp backend was not selected); `oci` names
// the OCI profile when one was written.
Coverage build_coverage(const ir::Policy& policy, const diag::SourceManager& sources,
                        const std::vector<std::pair<arch::Arch, std::string>>& seccomp_files, bool oci,
                        const backends::Enforcements& reported);

// Reports E0605 for every statement without a full enforcer. Returns the number reported.
size_t report_unenforced(const Coverage& coverage, diag::Engine& engine);

// The statement an origin points at, as written: its own text when it fits on one line, else its
// first line (minus a trailing comment) and "...". Syscall origins point at one target, so they
// show their line. "" for origins without a range (implicit rules).
std::string statement_text(const ir::Origin& o, const diag::SourceManager& sources, bool syscall);

nlohmann::json coverage_json(const Coverage& coverage);
// The map as reviewers read it: one block per statement, its location, and its enforcers.
std::string coverage_text(const Coverage& coverage);

}  // namespace polc::bundle
