// Stage: sema. The entry point of semantic analysis: loads the policy and its imports, resolves
// every name, constant and syscall per target architecture, validates paths, rights, addresses,
// ports and queries, and returns the normalized IR. All user errors go to the engine.
#pragma once

#include <filesystem>
#include <optional>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/sema/loader.h"

namespace polc::sema {

// The longest policy name (E0117): the name becomes the bundle directory, its temporary
// `.NAME.tmp-XXXXXX`, the nftables table `polc_NAME` and the proxy's log file, each limited to
// 255 or 256 bytes; 128 leaves room in all of them.
inline constexpr size_t kMaxPolicyNameLength = 128;

struct Options {
  LoadOptions load;
  // When set, receives every source file that shaped the policy (for the bundle's sources/).
  std::vector<LoadedSource>* sources_out = nullptr;
  // When set, these tests are lowered as if written at the end of the root policy (`polc eval`
  // asks its query this way). Their ranges may lie in other files (the query's own), so what
  // they report points there. Not owned; outlives the call.
  const std::vector<ast::Test>* extra_tests = nullptr;
};

// Analyzes the file `root` (already in the engine's sources, read from `root_path`). Returns the IR
// when no error was reported, nullopt otherwise. A module file (not a policy) is checked as if a
// policy targeting every supported architecture imported it, and yields nullopt on success too;
// callers that only check use has_errors().
std::optional<ir::Policy> analyze(diag::Engine& diags, diag::FileId root, const std::filesystem::path& root_path,
                                  const Options& options);

}  // namespace polc::sema
