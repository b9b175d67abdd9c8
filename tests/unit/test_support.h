// Helpers shared by the unit tests: run the front end over an in-memory source.
#pragma once

#include <optional>
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"
#include "compiler/sema/analyze.h"

namespace polc::test {

struct Compiled {
  diag::SourceManager sources;
  diag::Engine engine{sources};
  std::optional<ir::Policy> policy;

  bool has(diag::Code code) const {
    for (const auto& d : engine.diagnostics())
      if (d.code == code) return true;
    return false;
  }
  size_t count(diag::Code code) const {
    size_t n = 0;
    for (const auto& d : engine.diagnostics()) n += d.code == code;
    return n;
  }
};

// Compiles `text` as if read from /virtual/test.sbx (relative imports fail cleanly).
inline std::unique_ptr<Compiled> compile(const std::string& text) {
  auto c = std::make_unique<Compiled>();
  const auto fid = c->sources.add("/virtual/test.sbx", text);
  c->policy = sema::analyze(c->engine, fid, "/virtual/test.sbx", {});
  return c;
}

// Wraps syscall statements in a minimal x86_64 policy.
inline std::string policy_with(const std::string& body, const std::string& targets = "x86_64") {
  return "policy t version 1 {\n  targets " + targets + "\n" + body + "\n}\n";
}

}  // namespace polc::test
