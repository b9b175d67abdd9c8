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

// Limits that keep any input, however hostile, within bounded stack and time.
inline constexpr int kMaxNesting = 256;               // ( and { depth
inline constexpr int kMaxOperatorRun = 4096;          // operators in one expression run
inline constexpr size_t kMaxSourceBytes = 16u << 20;  // 16 MiB per file

}  // namespace polc::syntax
