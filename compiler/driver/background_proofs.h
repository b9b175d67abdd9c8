// Stage: driver. A build's proofs on a thread of their own, beside the backends.
//
// The proofs that need only the IR (lints, assertions, tests: verify::verify_policy) and the
// translation validation of the seccomp programs are all Z3 work; code generation and the
// conformance checks are not. Running the first on this thread while the main thread runs the
// backends puts a check's two largest halves on the machine's two cores. Z3 is only ever touched
// from this thread while it runs (the shared context is not thread-safe): the main thread must not
// ask the solver between the constructor and finish().
//
// Programs are handed over one by one as the seccomp backend finishes them (give()), so that
// their translation validation overlaps the rest of the backends (the OCI profile, the other
// backends' files); validate() then names the build's final programs. The thread still does its
// work in one fixed order, the policy proofs and then the programs in the backends' order, so
// that its answers (and the solver's witnesses) never depend on timing.
//
// The thread reports into engines of its own; finish() moves their diagnostics into the caller's.
// Output stays deterministic: the diagnostics are sorted when rendered, and the translation
// validation's come before the policy proofs', as when both ran on the main thread.
#pragma once

#include <exception>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <memory>
#include <thread>
#include <vector>

#include "backends/seccomp/program_artifact.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/verify/verify.h"

namespace polc::driver {

class BackgroundProofs {
 public:
  // Starts proving `policy`, which must outlive this object and not change while it runs.
  BackgroundProofs(const ir::Policy& policy, diag::SourceManager& sources);
  // Joins the thread if finish() was not called (an exception on the main thread): the programs
  // then count as none.
  ~BackgroundProofs();
  BackgroundProofs(const BackgroundProofs&) = delete;
  BackgroundProofs& operator=(const BackgroundProofs&) = delete;

  // A program the backends will return, handed over as soon as it is final (EmitHooks).
  void give(const backends::seccomp::ProgramArtifact& program);
  // The programs to validate, once the backends have produced them; programs given earlier
  // are validated once and reported only if they are among these. Call at most once.
  void validate(std::vector<backends::seccomp::ProgramArtifact> programs);

  // Waits for the proofs, reports their diagnostics to `engine` and returns the verdicts (the
  // programs' among them). Rethrows what the thread threw.
  verify::Verdicts finish(diag::Engine& engine);

 private:
  // A program's validation: its verdict and its diagnostics.
  struct Validated {
    backends::seccomp::ProgramArtifact program;
    verify::ProgramVerdict verdict;
    std::unique_ptr<diag::Engine> diagnostics;
  };

  void run(const ir::Policy& policy);
  Validated validate_one(backends::seccomp::ProgramArtifact program, const ir::Policy& policy);

  diag::SourceManager& sources_;
  std::mutex mutex_;  // guards the two below
  std::condition_variable handed_over_;
  std::vector<backends::seccomp::ProgramArtifact> given_;                 // in the order given
  std::optional<std::vector<backends::seccomp::ProgramArtifact>> final_;  // set by validate()
  bool programs_given_ = false;
  diag::Engine policy_engine_;       // verify_policy's diagnostics
  diag::Engine translation_engine_;  // the final programs' validations
  verify::Verdicts verdicts_;
  std::exception_ptr failure_;
  std::thread thread_;  // last: started once every member above exists
};

}  // namespace polc::driver
