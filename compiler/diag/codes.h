// Stage: diagnostics. The registry of every diagnostic polc can emit. A code is a promise to users
// and to tools that filter on it: codes are never renumbered and never reused. The codes are the
// rows of codes.def (add new ones there) and their explanations are docs/diagnostics/<id>.md.
#pragma once

#include <span>
#include <string_view>

namespace polc::diag {

enum class Severity { Error, Warning, Note };

enum class Code {
#define POLC_DIAG_CODE(id, enumerator, name, severity, summary) enumerator,
#include "compiler/diag/codes.def"
};

struct CodeInfo {
  Code code;
  std::string_view id;    // "E0201": stable, shown to users
  std::string_view name;  // "unknown-syscall": stable, for SARIF rule names
  Severity severity;
  std::string_view summary;      // one line
  std::string_view explanation;  // `polc explain`: why it is an error and how to fix it
};

const CodeInfo& info(Code code);
std::span<const CodeInfo> all_codes();
// Lookup by id ("E0201", case-insensitive) or by name ("unknown-syscall").
const CodeInfo* find_code(std::string_view id_or_name);

}  // namespace polc::diag
