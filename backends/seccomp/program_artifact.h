// Stage: backends/seccomp. One emitted seccomp program as the bundle carries it: the file it is
// written to, the targets it decides, its instructions, its bytes and its listing. The verifier's
// translation validation proves each one against the policy before a build succeeds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backends/seccomp/bpf_program.h"
#include "compiler/arch/arch.h"

namespace polc::backends::seccomp {

struct ProgramArtifact {
  arch::Arch arch = arch::Arch::x86_64;  // the target the file is named after
  std::string file;                      // the bundle file: "seccomp.x86_64.bpf"
  std::vector<arch::Arch> decides;       // every target the program decides (its arch family)
  std::vector<Insn> insns;
  std::vector<uint8_t> raw;  // the .bpf file
  std::string listing;       // the .txt file
};

}  // namespace polc::backends::seccomp
