// Stage: verify. Translation validation of a build's programs, as diagnostics and verdicts (see
// translation.h).
#include "compiler/verify/translation.h"

namespace polc::verify {

namespace {

ProgramVerdict validate_program(const backends::seccomp::ProgramArtifact& p, const ir::Policy& policy,
                                diag::Engine& engine) {
  const TranslationResult r = validate_translation(p, policy);
  const std::string& artifact = p.file;
  ProgramVerdict verdict{artifact, r.equivalent(), r.work.queries};
  using Verdict = TranslationResult::Verdict;
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
      engine
          .report(diag::Code::SolverInconclusive, {},
                  "Z3 could not prove " + artifact + " equivalent to the policy: " + r.detail)
          .with_help("raise the limit with --solver-rlimit, or simplify the conditions of the syscall named");
      break;
  }
  return verdict;
}

}  // namespace

std::vector<ProgramVerdict> validate_programs(std::span<const backends::seccomp::ProgramArtifact> programs,
                                              const ir::Policy& policy, diag::Engine& engine) {
  std::vector<ProgramVerdict> out;
  for (const backends::seccomp::ProgramArtifact& p : programs) out.push_back(validate_program(p, policy, engine));
  return out;
}

}  // namespace polc::verify
