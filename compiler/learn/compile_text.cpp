// Stage: learn. The front end over in-memory text (see compile_text.h).
#include "compiler/learn/compile_text.h"

#include "compiler/diag/codes.h"
#include "compiler/sema/analyze.h"
#include "compiler/verify/verify.h"

namespace polc::learn {

std::unique_ptr<Compiled> compile_text(const std::string& text, const std::string& name, bool verify) {
  auto c = std::make_unique<Compiled>();
  const auto fid = c->sources.add(name, text);
  c->policy = sema::analyze(c->engine, fid, name, {});
  if (c->policy && verify && !c->engine.has_errors()) verify::verify_policy(*c->policy, c->engine);
  if (c->engine.has_errors()) c->policy.reset();
  return c;
}

std::vector<std::string> diagnostic_lines(const Compiled& c) {
  std::vector<std::string> out;
  for (const diag::Diagnostic& d : c.engine.diagnostics()) {
    std::string where = "?";
    if (d.range.valid()) {
      diag::LineCol lc = c.sources.line_col(d.range.file, d.range.begin);
      where = c.sources.path(d.range.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
    }
    const char* severity = d.severity == diag::Severity::Error ? "error" : d.severity == diag::Severity::Warning ? "warning" : "note";
    out.push_back(where + ": " + severity + " " + std::string(diag::info(d.code).id) + ": " + d.message);
  }
  return out;
}

}  // namespace polc::learn
