// Stage: syntax. Turns the text of one .sbx file into polc's AST. ANTLR is quarantined behind this
// header: no ANTLR type appears here, and every lexical or syntax error is reported through the
// diagnostics engine (never printed by ANTLR, never thrown).
#pragma once

#include <optional>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"

namespace polc::syntax {

// Parses the file `file` held by `diags.sources()`. Returns nullopt when the file has lexical or
// syntax errors (all reported to `diags`); otherwise a complete AST. Never throws for bad input.
std::optional<ast::File> parse(diag::Engine& diags, diag::FileId file);

// A query as `polc eval` takes it, alone in `file`: what follows `expect ACTION` in a `test` block
// (`read "/etc/x"`, `connect tcp 443 to "example.org"`, `openat(AT_FDCWD, 0, 0)`), or a syscall by
// number as an audit record shows it: `syscall 257` or `257`, with arguments and `on ARCH` as a
// name takes them. Errors are reported in `file`, so they point into the query.
struct ParsedQuery {
  ast::Query query;
  // Set for a query by number: the syscall name in `query` is then the number as written (with its
  // range), for the caller to replace with the name the number has on each architecture.
  std::optional<uint64_t> number;
};
std::optional<ParsedQuery> parse_query(diag::Engine& diags, diag::FileId file);

// Limits that keep any input, however hostile, within bounded stack and time.
inline constexpr int kMaxNesting = 256;               // ( and { depth
inline constexpr int kMaxOperatorRun = 4096;          // operators in one expression run
inline constexpr size_t kMaxSourceBytes = 16u << 20;  // 16 MiB per file

}  // namespace polc::syntax
