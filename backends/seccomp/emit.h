// Stage: backends/seccomp. The backend's entry point: from the IR to every seccomp artifact of a
// build (one BPF program and its listing per target, and the OCI profile), each program checked
// against the policy before it is returned.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/seccomp/bpf_program.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::backends::seccomp {

struct ProgramArtifact {
  arch::Arch arch = arch::Arch::x86_64;  // the target the file is named after
  std::vector<arch::Arch> decides;       // every target the program decides (its arch family)
  std::vector<Insn> insns;
  std::vector<uint8_t> raw;              // the .bpf file
  std::string listing;                   // the .txt file
};

struct SeccompArtifacts {
  std::vector<ProgramArtifact> programs;  // in target order
  std::string oci_json;  // empty when no profile is exact on every target (warning W0007)
};

// Returns nullopt after reporting errors to `engine` (a condition no filter can test exactly, a
// filter too large, an OCI conflict, or a program that disagrees with the policy).
std::optional<SeccompArtifacts> emit(const ir::Policy& policy, diag::Engine& engine);

}  // namespace polc::backends::seccomp
