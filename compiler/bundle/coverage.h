// Stage: bundle. The coverage map: every enforceable statement of the policy, and the artifacts
// that enforce it. A statement no selected artifact enforces in full fails the build (E0605): the
// policy would promise something nothing keeps.
#pragma once

#include <string>
#include <vector>

#include "backends/enforcement.h"
#include "compiler/bundle/manifest_schema.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::bundle {

struct CoverageEntry {
  ir::Origin origin;
  std::string statement;               // the statement's first source line, trimmed ("" for implicit rules)
  backends::Enforcements enforced_by;  // sorted by artifact
  // Parts that must each be enforced in full when no artifact enforces the whole statement
  // (backends::kPartAddresses, kPartDomains); empty for statements without parts.
  std::vector<std::string> parts;
};

struct Coverage {
  std::vector<CoverageEntry> entries;  // sorted by (module, where)
};

// Every statement that asks for enforcement (syscall, filesystem and network rules, the syscall
// default, scopes, the proxy, and the OS layer's namespaces, limits, mounts and workspaces),
// joined with what the selected backends claim. Claims for statements the policy does not have
// are ignored. `other_sockets_refused`: a selected backend
// refuses the sockets Landlock's TCP rules cannot see (BackendOutput::refuses_other_sockets);
// without one, claims marked tcp_sockets_only count as partial.
Coverage build_coverage(const ir::Policy& policy, const diag::SourceManager& sources,
                        const backends::Enforcements& claims, bool other_sockets_refused);

// Reports E0605 for every statement without a full enforcer. Returns the number reported.
size_t report_unenforced(const Coverage& coverage, diag::Engine& engine);

// The statement an origin points at, as written: its own text when it fits on one line, else its
// first line (minus a trailing comment) and "...". Syscall origins point at one target, so they
// show their line. "" for origins without a range (implicit rules).
std::string statement_text(const ir::Origin& o, const diag::SourceManager& sources, bool syscall);

// The map as the manifest records it (locations as the sources were given; manifest_of relabels
// them).
std::vector<ManifestStatement> manifest_coverage(const Coverage& coverage);
// The map as reviewers read it: one block per statement, its location, and its enforcers.
std::string coverage_text(const Coverage& coverage);

}  // namespace polc::bundle
