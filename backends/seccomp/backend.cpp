// Stage: backends/seccomp. The backend's entry point (see emit.h): the emitted programs as the
// bundle's files, and their claims.
#include "backends/seccomp/claims.h"
#include "backends/seccomp/emit.h"

namespace polc::backends::seccomp {

std::optional<BackendOutput> run(const ir::Policy& policy, diag::Engine& engine, const EmitHooks& hooks) {
  auto emitted = emit(policy, engine, hooks.program_ready);
  if (!emitted) return std::nullopt;
  BackendOutput out;
  std::vector<std::pair<arch::Arch, std::string>> programs;  // target -> a program deciding it
  for (const ProgramArtifact& p : emitted->programs) {
    out.files[p.file] = p.raw;
    out.files["seccomp." + std::string(arch::name(p.arch)) + ".txt"] = bytes_of(p.listing);
    for (arch::Arch a : p.decides) programs.push_back({a, p.file});
  }
  std::string oci_file;
  if (!emitted->oci_json.empty()) {
    oci_file = "seccomp.oci.json";
    out.files[oci_file] = bytes_of(emitted->oci_json);
  }
  out.enforced = claims(policy, engine.sources(), programs, oci_file);
  // Every program refuses the sockets Landlock cannot see (the verifier's E0407 proves it).
  out.refuses_other_sockets = !programs.empty();
  out.programs = std::move(emitted->programs);
  return out;
}

}  // namespace polc::backends::seccomp
