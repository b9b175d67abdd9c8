// libFuzzer entry: any byte string goes through the whole front end (parse, imports of the
// built-in standard library, sema, IR) and, when it parses, through the formatter twice, which must
// agree (idempotence). A crash, hang, leak or sanitizer report is a bug.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "compiler/diag/render.h"
#include "compiler/fmt/format.h"
#include "compiler/sema/analyze.h"
#include "compiler/syntax/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  polc::diag::SourceManager sources;
  polc::diag::Engine engine(sources);
  // A path in a directory that does not exist: relative imports fail cleanly with E0003.
  const auto fid = sources.add("/nonexistent/fuzz.sbx", text);
  polc::sema::analyze(engine, fid, "/nonexistent/fuzz.sbx", {});
  (void)polc::diag::render_human(engine);
  (void)polc::diag::render_sarif(engine, "fuzz", "file:///fuzz");

  polc::diag::Engine fmt_engine(sources);
  if (auto file = polc::syntax::parse(fmt_engine, fid)) {
    const std::string once = polc::fmt::format(*file, text);
    const auto fid2 = sources.add("/nonexistent/fuzz2.sbx", once);
    auto again = polc::syntax::parse(fmt_engine, fid2);
    if (!again) std::abort();                                   // formatted output must parse
    if (polc::fmt::format(*again, once) != once) std::abort();  // and be a fixed point
  }
  return 0;
}
