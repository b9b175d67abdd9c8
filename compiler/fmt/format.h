// Stage: fmt. The canonical layout of a .sbx file (`polc fmt`): two-space indentation, one
// statement per line, lists packed to 100 columns, one blank line kept where the author left any.
// Every comment is kept: own-line comments stay before the statement or list item they precede,
// trailing comments stay at the end of their line. Formatting is idempotent.
#pragma once

#include <string>
#include <string_view>

#include "compiler/ast/ast.h"

namespace polc::fmt {

// `source` is the text `file` was parsed from (needed to place comments and blank lines).
std::string format(const ast::File& file, std::string_view source);

inline constexpr size_t kLineWidth = 100;

}  // namespace polc::fmt
