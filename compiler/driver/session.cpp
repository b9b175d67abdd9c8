// Stage: driver. Shared steps of the verbs.
#include "compiler/driver/session.h"

#include <iostream>

#include "compiler/sema/analyze.h"

namespace polc::driver {

std::optional<ir::Policy> analyze_file(diag::Engine& engine, const std::string& path, const CommonOptions& options) {
  auto fid = sema::read_source(engine, path, {});
  if (!fid) return std::nullopt;
  sema::Options so;
  so.load.stdlib_dir = options.stdlib_dir;
  return sema::analyze(engine, *fid, path, so);
}

int report(const diag::Engine& engine, const CommonOptions& options, bool to_stderr) {
  const std::string text = diag::render(engine, options.format, version());
  if (options.format == diag::Format::Human || to_stderr) std::cerr << text;
  else std::cout << text;
  if (engine.has_errors()) return kExitErrors;
  if (options.werror && engine.warning_count() > 0) return kExitErrors;
  return kExitOk;
}

}  // namespace polc::driver
