// Stage: driver. Rebuilding a bundle from its own sources (see rebuild_check.h).
#include "compiler/driver/rebuild_check.h"

#include "compiler/driver/build_bundle.h"
#include "compiler/driver/bundle_sources.h"
#include "compiler/driver/commands.h"
#include "compiler/sema/analyze.h"

namespace polc::driver {

std::optional<Rebuilt> rebuild(diag::Engine& engine, const bundle::BundleContents& b) {
  SourcesToRebuild src;
  if (auto err = sources_to_rebuild(b, src)) {
    engine.report(diag::Code::BundleNotReproduced, {engine.sources().add(b.dir + "/manifest.json", ""), 0, 0}, *err);
    return std::nullopt;
  }
  // Named by their place in the bundle, as the manifest's locations are.
  const diag::FileId root = engine.sources().add(src.policy_path, src.policy_text);
  sema::Options options;
  options.load.bundled = &src.imports;
  std::vector<sema::LoadedSource> loaded;
  options.sources_out = &loaded;
  auto policy = sema::analyze(engine, root, src.policy_path, options);
  if (!policy) return std::nullopt;

  Rebuilt out{std::move(*policy), {}};
  out.check.same_compiler = b.manifest.compiler == "polc " + std::string(version());
  BuildInputs inputs;
  if (auto err = parse_backends(b.manifest.backends, inputs.selected)) {
    engine.report(diag::Code::BundleNotReproduced, {engine.sources().add(b.dir + "/manifest.json", ""), 0, 0},
                  "manifest.json: \"backends\": " + *err);
    return std::nullopt;
  }
  inputs.expires = b.manifest.expires;
  if (auto err = place_sources(loaded, src.policy_file, inputs.sources)) {
    engine.report(diag::Code::BundleNotReproduced, {engine.sources().add(b.dir + "/manifest.json", ""), 0, 0}, *err);
    return std::nullopt;
  }
  // The rebuild's own diagnostics (warnings, proofs) were shown when the bundle was built; a
  // separate engine keeps the review page to what concerns the bundle. Its errors still count.
  diag::Engine rebuild_engine(engine.sources());
  const auto files = build_bundle(out.policy, inputs, rebuild_engine);
  if (!files) {
    out.check.mismatched.push_back("(the rebuild failed: " + std::to_string(rebuild_engine.error_count()) + " errors)");
    return out;
  }
  for (const bundle::BundleFile& f : b.files) {
    const auto it = files->files.find(f.path);
    if (it == files->files.end() || std::string(it->second.begin(), it->second.end()) != f.bytes)
      out.check.mismatched.push_back(f.path);
  }
  const auto manifest = files->files.find(bundle::kManifestFile);
  if (manifest == files->files.end() ||
      std::string(manifest->second.begin(), manifest->second.end()) != b.manifest_bytes)
    out.check.mismatched.push_back(bundle::kManifestFile);
  for (const auto& [path, bytes] : files->files)
    if (path != bundle::kManifestFile && b.find(path) == nullptr)
      out.check.mismatched.push_back(path + " (not in the bundle)");
  return out;
}

bool report_rebuild(diag::Engine& engine, const bundle::BundleContents& b, const report::RebuildCheck& check) {
  const diag::SourceRange at{engine.sources().add(b.dir + "/manifest.json", ""), 0, 0};
  if (!check.same_compiler) {
    engine
        .report(diag::Code::BundleNotReproduced, at,
                "the bundle was built by " +
                    (b.manifest.compiler.empty() ? std::string("an unknown compiler") : b.manifest.compiler) +
                    "; this polc " + std::string(version()) +
                    " cannot check that its artifacts are what its sources compile to")
        .with_help("review and sign it with the polc that built it, or rebuild it with this one");
    return false;
  }
  if (check.mismatched.empty()) return true;
  std::string list;
  for (const std::string& m : check.mismatched) list += (list.empty() ? "" : ", ") + m;
  engine
      .report(diag::Code::BundleNotReproduced, at,
              "rebuilt from its own sources with this polc, the bundle differs in: " + list)
      .with_help(
          "the artifacts were not made from the sources a reviewer reads: rebuild the bundle and review it again");
  return false;
}

}  // namespace polc::driver
