// Stage: driver. One policy file into a bundle in memory (see build_policy.h).
#include "compiler/driver/build_policy.h"

#include "compiler/driver/bundle_sources.h"
#include "compiler/driver/session.h"

namespace polc::driver {

std::optional<BuiltPolicy> build_policy_file(const std::string& file, BuildInputs inputs, const CommonOptions& o,
                                             diag::Engine& engine, bool* is_module) {
  *is_module = false;
  std::vector<sema::LoadedSource> loaded;
  auto policy = analyze_file(engine, file, o, &loaded);
  if (!engine.has_errors() && !policy) {
    *is_module = true;
    return std::nullopt;
  }
  if (!policy) return std::nullopt;
  if (auto err = place_sources(loaded, file, inputs.sources)) {
    engine.report(diag::Code::OutputNotWritten, {}, *err);
    return std::nullopt;
  }
  auto bundle = build_bundle(*policy, inputs, engine);
  // Warnings under --werror stop the build too: nothing is written unless the build succeeds.
  if (!bundle || engine.has_errors() || (o.werror && engine.warning_count() > 0)) return std::nullopt;
  return BuiltPolicy{policy->name, std::move(*bundle)};
}

}  // namespace polc::driver
