// Stage: driver. Backends → coverage → manifest.
#include "compiler/driver/build_bundle.h"

#include <sstream>

#include "backends/landlock/emit.h"
#include "backends/network/emit.h"
#include "backends/seccomp/emit.h"
#include "compiler/bundle/manifest.h"
#include "compiler/driver/commands.h"
#include "compiler/verify/translation.h"
#include "compiler/verify/verify.h"

namespace polc::driver {

namespace {

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// Keeps the network backend's entries for the files this build writes.
void keep_selected(const backends::Enforcements& all, const Artifacts& files, backends::Enforcements& out) {
  for (const auto& e : all)
    if (files.count(e.artifact) != 0) out.push_back(e);
}

// Translation validation of one emitted program: a proof over every seccomp_data that it decides
// as the policy does. Anything short of that proof fails the build (fail closed).
verify::ProgramVerdict validate_program(const backends::seccomp::ProgramArtifact& p, const ir::Policy& policy,
                                        const std::string& artifact, diag::Engine& engine) {
  const verify::TranslationResult r = verify::validate_translation(p, policy);
  verify::ProgramVerdict verdict{artifact, r.equivalent(), r.work.queries};
  using Verdict = verify::TranslationResult::Verdict;
  switch (r.verdict) {
    case Verdict::Equivalent: break;
    case Verdict::Mismatch:
      engine.report(diag::Code::FilterMismatch, {}, artifact + " does not decide every call as the policy does")
          .note("translation validation (Z3) found " + r.witness->describe())
          .with_help("this is a bug in polc or libseccomp; please report it with the policy");
      break;
    case Verdict::Invalid:
      engine.report(diag::Code::FilterMismatch, {}, artifact + " would be refused by the kernel: " + r.detail)
          .with_help("this is a bug in polc or libseccomp; please report it with the policy");
      break;
    case Verdict::Unknown:
      engine.report(diag::Code::SolverInconclusive, {}, "Z3 could not prove " + artifact + " equivalent to the policy: " + r.detail)
          .with_help("raise the limit with --solver-rlimit, or simplify the conditions of the syscall named");
      break;
  }
  return verdict;
}

}  // namespace

std::optional<std::string> parse_backends(const std::vector<std::string>& values, BackendSelection& out) {
  if (values.empty()) return std::nullopt;
  out = {false, false, false, false};
  for (const std::string& v : values) {
    std::stringstream list(v);
    std::string name;
    while (std::getline(list, name, ',')) {
      if (name == "seccomp") out.seccomp = true;
      else if (name == "landlock") out.landlock = true;
      else if (name == "nftables") out.nftables = true;
      else if (name == "proxy") out.proxy = true;
      else return "unknown backend `" + name + "` (known: seccomp, landlock, nftables, proxy)";
    }
  }
  if (!out.seccomp && !out.landlock && !out.nftables && !out.proxy) return "--backends selects no backend";
  return std::nullopt;
}

std::vector<std::string> backend_names(const BackendSelection& s) {
  std::vector<std::string> out;
  if (s.landlock) out.push_back("landlock");
  if (s.nftables) out.push_back("nftables");
  if (s.proxy) out.push_back("proxy");
  if (s.seccomp) out.push_back("seccomp");
  return out;
}

std::optional<Bundle> build_bundle(const ir::Policy& policy, const BuildInputs& inputs, diag::Engine& engine) {
  const BackendSelection& selected = inputs.selected;
  Bundle out;
  const size_t errors_before = engine.error_count();
  std::vector<std::pair<arch::Arch, std::string>> seccomp_files;
  bool oci = false;
  if (selected.seccomp) {
    if (auto seccomp = backends::seccomp::emit(policy, engine)) {
      for (const auto& p : seccomp->programs) {
        const std::string arch_name(arch::name(p.arch));
        out.verdicts.programs.push_back(validate_program(p, policy, "seccomp." + arch_name + ".bpf", engine));
        out.files["seccomp." + arch_name + ".bpf"] = p.raw;
        out.files["seccomp." + arch_name + ".txt"] = bytes_of(p.listing);
        // The program decides every target of its family; each target's rules are enforced by it.
        for (arch::Arch a : p.decides) seccomp_files.push_back({a, "seccomp." + arch_name + ".bpf"});
      }
      if (!seccomp->oci_json.empty()) {
        out.files["seccomp.oci.json"] = bytes_of(seccomp->oci_json);
        oci = true;
      }
    }
  }
  backends::Enforcements enforced;
  if (selected.landlock) {
    if (auto landlock = backends::landlock::emit(policy, engine)) {
      out.files["landlock.json"] = bytes_of(landlock->json);
      enforced = std::move(landlock->enforced);
    }
  }
  if (selected.nftables || selected.proxy) {
    auto net = backends::network::emit(policy);
    if (selected.nftables) out.files["nftables.nft"] = bytes_of(net.nftables);
    if (selected.proxy && !net.squid_conf.empty()) out.files["squid.conf"] = bytes_of(net.squid_conf);
    if (selected.proxy && !net.egress_json.empty()) out.files["egress.json"] = bytes_of(net.egress_json);
    keep_selected(net.enforced, out.files, enforced);
  }
  // The proofs: lint checks, assertions and tests. A failed assertion or test stops the build.
  auto programs = std::move(out.verdicts.programs);
  out.verdicts = verify::verify_policy(policy, engine);
  out.verdicts.programs = std::move(programs);
  if (engine.error_count() > errors_before) return std::nullopt;

  out.coverage = bundle::build_coverage(policy, engine.sources(), seccomp_files, oci, enforced);
  if (bundle::report_unenforced(out.coverage, engine) > 0) return std::nullopt;
  if (!inputs.manifest) return out;
  const nlohmann::json verdicts = verify::verdicts_json(out.verdicts);
  const std::string manifest = bundle::manifest_json({policy, std::string(version()), out.files, inputs.sources,
                                                      backend_names(selected), out.coverage, verdicts, inputs.expires});
  for (const bundle::SourceFile& s : inputs.sources) out.files[s.path] = bytes_of(s.text);
  out.files[bundle::kManifestFile] = bytes_of(manifest);
  return out;
}

}  // namespace polc::driver
