// Stage: backends (the contract). Every backend has one entry point of the same shape: the IR and
// the diagnostics engine in; its files (named by the backend) and what they enforce out. The
// driver and the coverage map know backends only through this shape and the registry
// (backends/registry.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/enforcement.h"
#include "backends/seccomp/program_artifact.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/ir/ir.h"

namespace polc::backends {

// A statement the backend's files cannot enforce, and the diagnostic that says so. The driver
// reports `diagnostic` only when no other selected backend claims the statement in full (the
// Landlock backend cannot deny beneath a grant, E0606; the os backend masks such a deny in the
// payload's mount namespace and claims it).
struct Unenforceable {
  ir::Origin origin;  // the statement, as the claims of other backends name it
  diag::Diagnostic diagnostic;
};

struct BackendOutput {
  // Bundle path ("landlock.json") to contents. The names are the backend's own; no two backends
  // write the same path.
  std::map<std::string, std::vector<uint8_t>> files;
  // One claim per (statement, file) the backend enforces; the coverage map joins them.
  Enforcements enforced;
  // Programs the verifier must prove to decide every call as the policy does before the build
  // succeeds (translation validation). Only the seccomp backend makes them.
  std::vector<seccomp::ProgramArtifact> programs;
  // True when the files refuse every socket Landlock's TCP rules cannot see (MPTCP, SCTP, raw):
  // only then is a claim marked Enforcement::tcp_sockets_only a full one.
  bool refuses_other_sockets = false;
  // What the files leave unenforced, with what to tell the author if nothing else enforces it.
  std::vector<Unenforceable> unenforceable;
};

// What a backend may hand the driver before it returns, so that the verifier starts sooner.
struct EmitHooks {
  // Called with each program of BackendOutput::programs as soon as it is final, in the order of
  // that list: its translation validation then runs while the backend finishes the rest (the
  // seccomp backend's OCI profile). A program handed over and then not returned (the backend
  // failed later) is never reported on.
  std::function<void(const seccomp::ProgramArtifact&)> program_ready;
};

// The entry point: nullopt after reporting errors to `engine` (nothing of the backend is then
// written). Deterministic: the same IR gives byte-identical files and the same claims in the same
// order.
using EmitFn = std::optional<BackendOutput> (*)(const ir::Policy& policy, diag::Engine& engine, const EmitHooks& hooks);

// One row of the registry.
struct Backend {
  std::string_view name;   // as `--backends` and the manifest's "backends" spell it
  std::string_view files;  // the files it may write, for help and docs: "landlock.json"
  EmitFn emit;
};

// A string's bytes, as BackendOutput::files holds them.
inline std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace polc::backends
