// Stage: driver. The query of `polc eval`, read from its own source (`<query>`) so that every
// diagnostic about it points into it, and turned into a `test` block that sema lowers with the
// policy's own tests: eval and `polc test` read and decide a query the same way.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/arch/arch.h"
#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"

namespace polc::driver {

// The name of the test that holds the query.
inline constexpr std::string_view kEvalTest = "polc eval query";

struct EvalQuery {
  // One test named kEvalTest expecting `allow` for the query: one expectation, or for a query by
  // number one per architecture (`on ARCH`), each naming the syscall the number has there.
  std::vector<ast::Test> tests;
  // A query by number (`syscall 257`): the number, and the architecture of each expectation.
  std::optional<uint64_t> number;
  std::vector<arch::Arch> number_arches;
  // Targets the number was looked up on (none named with `--arch` or `on`) that lack it: skipped,
  // and said so. A number no target has is E1001, as is one an architecture asked about lacks.
  std::vector<arch::Arch> number_missing;
};

// Reads the query in `query` (a file of `diags.sources()`). `arches` are the `--arch` values
// (empty: every target); `policy_text` is the policy's source, whose `targets` a query by number
// without an architecture is looked up on. Returns nullopt when an error was reported.
std::optional<EvalQuery> read_eval_query(diag::Engine& diags, diag::FileId query, const std::vector<arch::Arch>& arches,
                                         std::string_view policy_text);

}  // namespace polc::driver
