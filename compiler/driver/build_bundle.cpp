// Stage: driver. Backends → coverage → manifest.
#include "compiler/driver/build_bundle.h"

#include <algorithm>
#include <iterator>
#include <sstream>

#include "backends/registry.h"
#include "compiler/bundle/attribution.h"
#include "compiler/bundle/manifest.h"
#include "compiler/diag/phase_trace.h"
#include "compiler/driver/background_proofs.h"
#include "compiler/driver/commands.h"
#include "compiler/import/oci_vocab.h"
#include "compiler/sema/syscall_table.h"
#include "compiler/verify/translation.h"
#include "compiler/verify/verify.h"

namespace polc::driver {

namespace {

// The statement an origin names, as claims and unenforceable statements identify it.
bool same_statement(const ir::Origin& a, const ir::Origin& b) {
  return a.module == b.module && a.where == b.where && a.range.file == b.range.file && a.range.begin == b.range.begin;
}

// Reports what a backend could not enforce (backends::Unenforceable) unless another selected
// backend claims the statement in full: E0606 without the os backend, nothing with it.
void report_unenforceable(const std::vector<backends::Unenforceable>& unenforceable,
                          const backends::Enforcements& claims, diag::Engine& engine) {
  for (const backends::Unenforceable& u : unenforceable) {
    const bool enforced = std::any_of(claims.begin(), claims.end(), [&](const backends::Enforcement& e) {
      return e.extent == backends::Extent::Full && e.part.empty() && same_statement(e.origin, u.origin);
    });
    if (enforced) continue;
    const diag::Diagnostic& d = u.diagnostic;
    diag::Diagnostic& reported = engine.report(d.code, d.range, d.message);
    reported.notes = d.notes;
    reported.help = d.help;
    reported.fixits = d.fixits;
  }
}

// The verdicts as the manifest records them (deterministic: no timings).
bundle::ManifestVerification manifest_verification(const verify::Verdicts& v) {
  bundle::ManifestVerification out;
  out.solver = v.solver;
  for (const verify::AssertionVerdict& a : v.assertions)
    out.assertions.push_back({a.origin.where, a.statement, a.holds ? "proved" : "failed",
                              a.holds ? std::nullopt : std::optional<std::string>(a.counterexample)});
  out.tests_passed = v.expectations_passed;
  out.tests_failed = v.expectations_failed;
  out.check_warnings = v.lint_findings;
  out.check_queries = v.queries;
  for (const verify::ProgramVerdict& p : v.programs)
    out.programs.push_back({p.artifact, p.equivalent ? "equivalent" : "mismatch", p.queries});
  return out;
}

}  // namespace

std::string decision_text(const ir::Action& action) {
  if (action.kind == ir::ActionKind::Errno)
    if (const std::string name = import::errno_name(action.data); !name.empty()) return "errno(" + name + ")";
  return ir::action_text(action);
}

BackendSelection all_backends() {
  BackendSelection out;
  for (const backends::Backend& b : backends::registry()) out.emplace(b.name);
  return out;
}

std::optional<std::string> parse_backends(const std::vector<std::string>& values, BackendSelection& out) {
  if (values.empty()) return std::nullopt;
  out.clear();
  for (const std::string& v : values) {
    std::stringstream list(v);
    std::string name;
    while (std::getline(list, name, ',')) {
      if (backends::find_backend(name) == nullptr) {
        std::string known;
        for (const backends::Backend& b : backends::registry())
          known += (known.empty() ? "" : ", ") + std::string(b.name);
        return "unknown backend `" + name + "` (known: " + known + ")";
      }
      out.insert(name);
    }
  }
  if (out.empty()) return "--backends selects no backend";
  return std::nullopt;
}

std::vector<std::string> backend_names(const BackendSelection& selected) { return {selected.begin(), selected.end()}; }

std::optional<Bundle> build_bundle(const ir::Policy& policy, const BuildInputs& inputs, diag::Engine& engine) {
  Bundle out;
  const size_t errors_before = engine.error_count();
  // The proofs run beside the backends (see background_proofs.h); nothing below asks Z3 until
  // finish().
  BackgroundProofs proofs(policy, engine.sources());
  backends::Enforcements claims;
  std::vector<backends::seccomp::ProgramArtifact> programs;
  bool other_sockets_refused = false;
  std::vector<backends::Unenforceable> unenforceable;
  backends::EmitHooks hooks;
  hooks.program_ready = [&proofs](const backends::seccomp::ProgramArtifact& p) { proofs.give(p); };
  for (const backends::Backend& backend : backends::registry()) {
    if (inputs.selected.count(backend.name) == 0) continue;
    auto emitted = backend.emit(policy, engine, hooks);
    trace_phase(("backend " + std::string(backend.name) + " done").c_str());
    if (!emitted) continue;
    for (auto& [path, bytes] : emitted->files) out.files[path] = std::move(bytes);
    claims.insert(claims.end(), emitted->enforced.begin(), emitted->enforced.end());
    std::move(emitted->programs.begin(), emitted->programs.end(), std::back_inserter(programs));
    other_sockets_refused = other_sockets_refused || emitted->refuses_other_sockets;
    std::move(emitted->unenforceable.begin(), emitted->unenforceable.end(), std::back_inserter(unenforceable));
  }
  report_unenforceable(unenforceable, claims, engine);
  // The proofs: every program against the policy, lint checks, assertions and tests. A failed
  // proof, assertion or test stops the build. What needs no proof is done while they run.
  proofs.validate(std::move(programs));
  const bool backends_failed = engine.error_count() > errors_before;
  std::optional<bundle::Manifest> manifest;
  out.coverage = bundle::build_coverage(policy, engine.sources(), claims, other_sockets_refused);
  if (inputs.manifest && !backends_failed) {
    // attribution.json is an artifact like the backends' files: listed in the manifest, so signed.
    // Its sections follow the selection, by the registry's names (which are also the layers'
    // names in sbx-exec's events).
    const bundle::AttributionLayers layers{inputs.selected.count("seccomp") > 0, inputs.selected.count("landlock") > 0,
                                           inputs.selected.count("nftables") > 0, inputs.selected.count("proxy") > 0,
                                           inputs.selected.count("os") > 0};
    bundle::Attribution attribution = bundle::attribution_of(policy, layers, inputs.sources, decision_text);
    if (attribution.seccomp)
      for (bundle::AttrSeccompArch& arch : attribution.seccomp->arches)
        if (const std::optional<arch::Arch> a = arch::from_name(arch.arch)) arch.names = sema::syscall_names(*a);
    out.files[bundle::kAttributionFile] = backends::bytes_of(bundle::to_json(attribution));
    // The manifest but the proofs' verdicts: every artifact is known (and hashed) by now.
    manifest = bundle::manifest_of({policy,
                                    std::string(version()),
                                    out.files,
                                    inputs.sources,
                                    backend_names(inputs.selected),
                                    out.coverage,
                                    {},
                                    inputs.expires});
  }
  if (inputs.while_proving && !backends_failed) {
    Artifacts known = out.files;
    for (const bundle::SourceFile& s : inputs.sources) known[s.path] = backends::bytes_of(s.text);
    inputs.while_proving(policy.name, known);
  }
  out.verdicts = proofs.finish(engine);
  trace_phase("proofs joined");
  if (engine.error_count() > errors_before) return std::nullopt;
  if (bundle::report_unenforced(out.coverage, engine) > 0) return std::nullopt;
  if (!inputs.manifest) return out;
  bundle::set_verification(*manifest, manifest_verification(out.verdicts), inputs.sources);
  for (const bundle::SourceFile& s : inputs.sources) out.files[s.path] = backends::bytes_of(s.text);
  out.files[bundle::kManifestFile] = backends::bytes_of(bundle::to_json(*manifest));
  trace_phase("manifest done");
  return out;
}

}  // namespace polc::driver
