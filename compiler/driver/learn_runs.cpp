// Stage: driver. Running `polc learn`'s workloads under the recorder (learn_runs.h).
#include "compiler/driver/learn_runs.h"

#include <iostream>

#include "compiler/learn/judge.h"
#include "launcher/record/recorder.h"

namespace polc::driver {

namespace {

record::Judge judge_for(const LearnRuns& runs) {
  if (runs.against == nullptr) return {};
  const ir::Policy* policy = runs.against;
  const bool let_through = runs.let_refused_through;
  return [policy, let_through](const learn::Event& event) {
    const learn::Judgement j = learn::judge(*policy, event);
    record::Verdict v;
    if (j.kind == learn::Judgement::Kind::Allow) return v;
    // Let through, the event is still recorded as refused (err 0 tells the recorder: continue).
    v.kind = let_through ? record::Verdict::Kind::Continue
                         : (j.kind == learn::Judgement::Kind::Kill ? record::Verdict::Kind::Kill
                                                                   : record::Verdict::Kind::Refuse);
    v.err = j.err;
    return v;
  };
}

// The policy's filesystem section as a Landlock ruleset on the workload, so that the kernel decides
// on the file actually reached whatever the emulation read (names a second thread rewrote, /proc
// magic links). Not with --let-refused-through, which must let refusals through.
record::ChildLandlock child_landlock(const LearnRuns& runs) {
  record::ChildLandlock l;
  if (runs.against == nullptr || runs.let_refused_through || !runs.against->filesystem.present) return l;
  l.handled_fs = runs.against->filesystem.handled;
  for (const ir::FsRule& r : runs.against->filesystem.rules)
    if (!r.deny) l.rules.emplace_back(r.path, r.rights & l.handled_fs);
  return l;
}

std::string command_text(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

std::optional<learn::Recording> record_runs(const LearnRuns& runs) {
  learn::Recording recording;
  int id = 0;
  for (const std::vector<std::string>& argv : runs.commands) {
    record::Options o;
    o.argv = argv;
    o.run_id = ++id;
    o.timeout_seconds = runs.timeout_seconds;
    o.judge = judge_for(runs);
    o.landlock = child_landlock(runs);
    std::string error;
    const auto run = record::run(o, recording, error);
    if (!run) {
      std::cerr << "polc learn: run " << id << " (" << command_text(argv) << "): " << error << "\n";
      return std::nullopt;
    }
    std::cerr << "polc learn: run " << id << ": " << command_text(argv) << ": ";
    if (run->exit_code) std::cerr << "exit status " << *run->exit_code;
    else if (run->exit_signal) std::cerr << "killed by signal " << *run->exit_signal;
    std::cerr << ", " << run->calls << " calls by " << run->processes
              << (run->processes == 1 ? " process" : " processes");
    if (run->undecidable > 0)
      std::cerr << "; " << run->undecidable << " refused: they could not be decoded (unreadable memory or /proc)";
    if (run->partial) std::cerr << "; PARTIAL (" << run->partial_reason << ")";
    std::cerr << "\n";
  }
  return recording;
}

}  // namespace polc::driver
