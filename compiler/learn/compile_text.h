// Stage: learn. Runs the front end over policy text held in memory (a draft, or a probe policy
// that imports one std module), as `polc check` does over a file: parse, analyze, lower.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::learn {

struct Compiled {
  diag::SourceManager sources;
  diag::Engine engine{sources};
  std::optional<ir::Policy> policy;  // nullopt on errors
};

// `name` is the file name diagnostics show ("learned.sbx"); imports of std modules only. With
// `verify`, the verifier also runs (assertions, tests, dead rules), as `polc check` runs it.
std::unique_ptr<Compiled> compile_text(const std::string& text, const std::string& name = "learned.sbx",
                                       bool verify = false);

// Every diagnostic of `c` as one line each: "learned.sbx:12:5: error E0202: ...".
std::vector<std::string> diagnostic_lines(const Compiled& c);

}  // namespace polc::learn
