// Stage: backends/seccomp. The backend's entry point: from the IR to every seccomp artifact of a
// build (one BPF program and its listing per target, and the OCI profile), each program checked
// against the policy before it is returned.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/seccomp/bpf_program.h"
#include "backends/seccomp/program_artifact.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::backends::seccomp {

struct SeccompArtifacts {
  std::vector<ProgramArtifact> programs;  // in target order
  std::string oci_json;                   // empty when no profile is exact on every target (warning W0007)
};

// Returns nullopt after reporting errors to `engine` (a condition no filter can test exactly, a
// filter too large, an OCI conflict, or a program that disagrees with the policy).
std::optional<SeccompArtifacts> emit(const ir::Policy& policy, diag::Engine& engine);

// The backend's entry point (backends/backend.h): emit's programs, listings and OCI profile as
// files, and what they enforce: every syscall rule of a target and the default, by each program
// that decides the target and by the OCI profile. The programs go to the verifier's translation
// validation.
std::optional<BackendOutput> run(const ir::Policy& policy, diag::Engine& engine);

}  // namespace polc::backends::seccomp
