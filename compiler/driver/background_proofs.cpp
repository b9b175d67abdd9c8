// Stage: driver. A build's proofs on a thread of their own (see background_proofs.h).
#include "compiler/driver/background_proofs.h"

#include <algorithm>

#include "compiler/diag/phase_trace.h"
#include "compiler/verify/solver.h"
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
    : sources_(sources),
      policy_engine_(sources),
      translation_engine_(sources),
      thread_([this, &policy] { run(policy); }) {}

BackgroundProofs::~BackgroundProofs() {
  if (!thread_.joinable()) return;
  if (!programs_given_) validate({});
  thread_.join();
}

void BackgroundProofs::give(const backends::seccomp::ProgramArtifact& program) {
  {
    const std::lock_guard lock(mutex_);
    given_.push_back(program);
  }
  handed_over_.notify_one();
}

void BackgroundProofs::validate(std::vector<backends::seccomp::ProgramArtifact> programs) {
  programs_given_ = true;
  {
    const std::lock_guard lock(mutex_);
    final_ = std::move(programs);
  }
  handed_over_.notify_one();
}

BackgroundProofs::Validated BackgroundProofs::validate_one(backends::seccomp::ProgramArtifact program,
                                                           const ir::Policy& policy) {
  auto diagnostics = std::make_unique<diag::Engine>(sources_);
  const std::vector<verify::ProgramVerdict> verdicts =
      verify::validate_programs(std::span(&program, 1), policy, *diagnostics);
  trace_phase(("proofs: " + program.file + " validated").c_str());
  return {std::move(program), verdicts.front(), std::move(diagnostics)};
}

void BackgroundProofs::run(const ir::Policy& policy) {
  try {
    verify::forget_answers();  // a policy's proofs never depend on what the run proved before
    verdicts_ = verify::verify_policy(policy, policy_engine_);
    // The programs given early, in order, until the final list is known.
    std::vector<Validated> early;
    std::vector<backends::seccomp::ProgramArtifact> final_programs;
    for (;;) {
      std::unique_lock lock(mutex_);
      handed_over_.wait(lock, [&] { return early.size() < given_.size() || final_; });
      if (early.size() < given_.size()) {
        backends::seccomp::ProgramArtifact next = given_[early.size()];
        lock.unlock();
        early.push_back(validate_one(std::move(next), policy));
        continue;
      }
      final_programs = std::move(*final_);
      break;
    }
    for (backends::seccomp::ProgramArtifact& p : final_programs) {
      const auto same = std::find_if(early.begin(), early.end(), [&](const Validated& v) {
        return v.program.file == p.file && v.program.arch == p.arch && v.program.insns == p.insns &&
               v.program.decides == p.decides;
      });
      Validated v = same != early.end() ? std::move(*same) : validate_one(std::move(p), policy);
      report_all(*v.diagnostics, translation_engine_);
      verdicts_.programs.push_back(v.verdict);
    }
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
