// Stage: backends/seccomp. Compiles an OCI runtime-spec seccomp profile to BPF the way runc does
// it (libseccomp, one rule per syscall name and entry, conditions on one argument index repeated
// in an entry added as separate rules). The build uses it to prove that seccomp.oci.json means
// exactly what the policy means on every target; tests use it as the reference compile of
// profiles written by others (Docker's default profile).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/seccomp/isolated.h"
#include "compiler/arch/arch.h"

namespace polc::backends::seccomp {

// `arches` replaces the profile's own list (all must share a byte order); the first one's byte
// order is the output's. Foreign architectures get kill_process. `optimize` is libseccomp's
// SCMP_FLTATR_CTL_OPTIMIZE: 2 (binary tree, what polc checks) or 1 (linear: what runc gets by
// leaving libseccomp's default; the benchmarks compare both). Returns nullopt with `error` set
// when the profile is malformed or libseccomp refuses a rule (runc would refuse to start).
std::optional<std::vector<uint8_t>> compile_oci_profile(const nlohmann::json& profile,
                                                        std::span<const arch::Arch> arches, std::string* error,
                                                        int optimize = 2);

// compile_oci_profile(), started in its own child so that every family compiles at once (in
// the isolation worker when one runs: the profile travels as JSON text); the job's finish()
// returns the program's bytes.
IsolatedJob start_oci_compile(const nlohmann::json& profile, std::span<const arch::Arch> arches, int optimize = 2);

}  // namespace polc::backends::seccomp
