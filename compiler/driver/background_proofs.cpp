// Stage: driver. A build's proofs on a thread of their own (see background_proofs.h).
#include "compiler/driver/background_proofs.h"

#include "compiler/verify/translation.h"

namespace polc::driver {

namespace {

// Reports `from`'s diagnostics to `to` as they were reported, in their order.
void report_all(const diag::Engine& from, diag::Engine& to) {
  for (const diag::Diagnostic& d : from.diagnostics()) {
    diag::Diagnostic& copy = to.report(d.code, d.range, d.message);
    copy.notes = d.notes;
    copy.help = d.help;
    copy.fixits = d.fixits;
  }
}

}  // namespace

BackgroundProofs::BackgroundProofs(const ir::Policy& policy, diag::SourceManager& sources)
    : policy_engine_(sources), translation_engine_(sources), thread_([this, &policy] { run(policy); }) {}

BackgroundProofs::~BackgroundProofs() {
  if (!thread_.joinable()) return;
  if (!programs_given_) programs_.set_value({});
  thread_.join();
}

void BackgroundProofs::validate(std::vector<backends::seccomp::ProgramArtifact> programs) {
  programs_given_ = true;
  programs_.set_value(std::move(programs));
}

void BackgroundProofs::run(const ir::Policy& policy) {
  try {
    verdicts_ = verify::verify_policy(policy, policy_engine_);
    const std::vector<backends::seccomp::ProgramArtifact> programs = programs_ready_.get();
    verdicts_.programs = verify::validate_programs(programs, policy, translation_engine_);
  } catch (...) {
    failure_ = std::current_exception();
  }
}

verify::Verdicts BackgroundProofs::finish(diag::Engine& engine) {
  if (!programs_given_) validate({});
  thread_.join();
  if (failure_) std::rethrow_exception(failure_);
  report_all(translation_engine_, engine);
  report_all(policy_engine_, engine);
  return std::move(verdicts_);
}

}  // namespace polc::driver
