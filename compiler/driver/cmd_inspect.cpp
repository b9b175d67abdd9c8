// Stage: driver. `polc inspect BUNDLE [--trust TRUST.json] [--format text|json|md] [-o FILE]`: the
// governance review report of a bundle. The bundle must be intact; its policy is rebuilt from the
// sources it carries (never from the disk), and when the manifest names this same polc the
// rebuilt artifacts must be byte-identical to the bundle's (E0815 otherwise), so the report
// describes exactly the bytes a launcher would apply.
#include <ctime>
#include <iostream>

#include "compiler/driver/build_bundle.h"
#include "compiler/driver/bundle_diagnostics.h"
#include "compiler/driver/bundle_sources.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/inspect_report.h"
#include "compiler/driver/options.h"
#include "compiler/driver/output_file.h"
#include "compiler/driver/report_format.h"
#include "compiler/driver/session.h"
#include "compiler/sema/analyze.h"

namespace polc::driver {

namespace {

int usage(const std::string& message) {
  std::cerr << "polc inspect: " << message << "\n(see `polc inspect --help`)\n";
  return kExitUsage;
}

struct Rebuilt {
  ir::Policy policy;
  RebuildCheck check;
};

// Rebuilds the bundle's policy and artifacts from its own sources, with the backends and expiry
// its manifest records. nullopt when the sources do not compile (reported).
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
  out.check.same_compiler = b.compiler == "polc " + std::string(version());
  BuildInputs inputs;
  std::vector<std::string> backends;
  if (const auto list = b.manifest.find("backends"); list != b.manifest.end() && list->is_array())
    for (const auto& name : *list)
      if (name.is_string()) backends.push_back(name.get<std::string>());
  if (auto err = parse_backends(backends, inputs.selected)) {
    engine.report(diag::Code::BundleNotReproduced, {engine.sources().add(b.dir + "/manifest.json", ""), 0, 0},
                  "manifest.json: \"backends\": " + *err);
    return std::nullopt;
  }
  inputs.expires = b.expires;
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
  if (manifest == files->files.end() || std::string(manifest->second.begin(), manifest->second.end()) != b.manifest_bytes)
    out.check.mismatched.push_back(bundle::kManifestFile);
  for (const auto& [path, bytes] : files->files)
    if (path != bundle::kManifestFile && b.find(path) == nullptr) out.check.mismatched.push_back(path + " (not in the bundle)");
  return out;
}

}  // namespace

int cmd_inspect(const Args& args) {
  const FormatOption format = take_format(args);
  bool help = false;
  auto o = parse_options(format.rest, "inspect", {"--trust=", "-o="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (format.missing_value) return usage("--format needs a value: text, json or md");
  const std::string fmt = format.value.value_or("text");
  if (fmt != "text" && fmt != "json" && fmt != "md" && fmt != "markdown")
    return usage("unknown format `" + fmt + "`: use text, json or md");
  if (o->files.size() != 1) return usage("give one bundle directory");

  diag::SourceManager sources;
  diag::Engine engine(sources);
  const std::string dir = o->files[0];
  std::optional<bundle::Trust> trust;
  if (const auto path = value_of(*o, "--trust")) {
    trust = load_trust(engine, *path);
    if (!trust) return report(engine, *o, true);
  }
  const auto contents = load_intact_bundle(engine, dir);
  if (!contents) return report(engine, *o, true);
  std::optional<bundle::TrustReport> verdict;
  if (trust) verdict = bundle::evaluate_trust(*contents, *trust, std::time(nullptr));
  auto rebuilt = rebuild(engine, *contents);
  if (!rebuilt) return report(engine, *o, true);
  if (rebuilt->check.same_compiler && !rebuilt->check.mismatched.empty()) {
    std::string list;
    for (const std::string& m : rebuilt->check.mismatched) list += (list.empty() ? "" : ", ") + m;
    engine.report(diag::Code::BundleNotReproduced, {sources.add(dir + "/manifest.json", ""), 0, 0},
                  "rebuilt from its own sources with this polc, the bundle differs in: " + list)
        .with_help("the artifacts were not made from the sources a reviewer reads: rebuild the bundle and review it again");
  }
  const InspectInput in{rebuilt->policy, sources, *contents, verdict ? &*verdict : nullptr, rebuilt->check};
  const std::string text = fmt == "json" ? inspect_json(in) : fmt == "text" ? inspect_text(in) : inspect_markdown(in);
  if (auto out = value_of(*o, "-o")) {
    std::string error;
    if (!write_file_atomically(*out, text, ".polc-inspect.tmp", error)) {
      std::cerr << "polc inspect: " << error << "\n";
      return kExitErrors;
    }
  } else {
    std::cout << text;
  }
  return report(engine, *o, true);
}

}  // namespace polc::driver
