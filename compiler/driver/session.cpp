// Stage: driver. Shared steps of the verbs.
#include "compiler/driver/session.h"

#include <iostream>

#include "compiler/diag/phase_trace.h"
#include "compiler/sema/analyze.h"
#include "compiler/verify/solver.h"

namespace polc::driver {

std::optional<ir::Policy> analyze_file(diag::Engine& engine, const std::string& path, const CommonOptions& options,
                                       std::vector<sema::LoadedSource>* sources) {
  auto fid = sema::read_source(engine, path, {});
  if (!fid) return std::nullopt;
  sema::Options so;
  so.load.stdlib_dir = options.stdlib_dir;
  so.sources_out = sources;
  auto policy = sema::analyze(engine, *fid, path, so);
  trace_phase("front end done");
  return policy;
}

int report(const diag::Engine& engine, const CommonOptions& options, bool to_stderr) {
  const std::string text = diag::render(engine, options.format, version(), docs_uri());
  if (options.format == diag::Format::Human || to_stderr) std::cerr << text;
  else std::cout << text;
  if (engine.has_errors()) return kExitErrors;
  if (options.werror && engine.warning_count() > 0) return kExitErrors;
  return kExitOk;
}

std::optional<std::string> apply_solver_options(const CommonOptions& options) {
  const auto value = value_of(options, "--solver-rlimit");
  if (!value) return std::nullopt;
  unsigned long steps = 0;
  size_t used = 0;
  try {
    steps = std::stoul(*value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value->size() || steps == 0 || steps > 4'000'000'000ul)
    return "--solver-rlimit needs a step count from 1 to 4000000000, not `" + *value + "`";
  verify::set_query_rlimit(static_cast<unsigned>(steps));
  return std::nullopt;
}

}  // namespace polc::driver
