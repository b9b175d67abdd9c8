// Stage: backends/seccomp. The backend's entry point: from the IR to every seccomp artifact of a
// build (one BPF program and its listing per target, and the OCI profile), each program checked
// against the policy before it is returned.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/seccomp/bpf_program.h"
#include "backends/seccomp/gen/generate.h"
#include "backends/seccomp/program_artifact.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::backends::seccomp {

struct SeccompArtifacts {
  std::vector<ProgramArtifact> programs;  // in target order
  std::string oci_json;                   // empty when no profile is exact on every target (warning W0007)
};

// Which code generator makes the programs: polc's own (backends/seccomp/gen/), or libseccomp (the
// partitioned rules through libseccomp's binary tree, in child processes). Either way every
// program is checked the same way before it is returned. The OCI profile is always libseccomp's
// (runc and Docker compile it with libseccomp).
enum class Generator : uint8_t { Polc, Libseccomp };
struct CodegenChoice {
  Generator generator = Generator::Polc;
  gen::Options options;  // polc's generator only: a recorded syscall mix for the number searches
};

// The choice emit() and run() use, process-wide (the driver sets it from --seccomp-codegen and
// --syscall-mix before it builds anything; polc's generator by default).
void set_codegen(CodegenChoice choice);
const CodegenChoice& codegen();

// Returns nullopt after reporting errors to `engine` (a condition no filter can test exactly, a
// filter too large, an OCI conflict, or a program that disagrees with the policy).
// `ready`, when given, is called with each program as soon as it is final (EmitHooks::program_ready).
using ProgramReady = std::function<void(const ProgramArtifact&)>;
std::optional<SeccompArtifacts> emit(const ir::Policy& policy, diag::Engine& engine, const ProgramReady& ready = {});
std::optional<SeccompArtifacts> emit(const ir::Policy& policy, diag::Engine& engine, const CodegenChoice& choice,
                                     const ProgramReady& ready = {});

// The backend's entry point (backends/backend.h): emit's programs, listings and OCI profile as
// files, and what they enforce: every syscall rule of a target and the default, by each program
// that decides the target and by the OCI profile. The programs go to the verifier's translation
// validation.
std::optional<BackendOutput> run(const ir::Policy& policy, diag::Engine& engine, const EmitHooks& hooks = {});

}  // namespace polc::backends::seccomp
