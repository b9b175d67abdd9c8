// Stage: driver. `polc learn`: draft a verified policy from real runs of a workload, or name what
// an existing policy refuses that a run needed, as a patch (--against, --from).
#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "compiler/driver/learn_runs.h"
#include "compiler/driver/output_file.h"
#include "compiler/driver/session.h"
#include "compiler/driver/build_bundle.h"
#include "compiler/driver/bundle_diagnostics.h"
#include "compiler/learn/draft.h"
#include "compiler/learn/events_import.h"
#include "compiler/learn/judge.h"
#include "compiler/learn/patch.h"
#include "compiler/learn/prove.h"
#include "compiler/sema/analyze.h"
#include "compiler/syntax/parse.h"

namespace polc::driver {

namespace {

// `polc learn --against` exits with this when the run needed something the policy refuses, as
// `polc diff` does when a change widens permissions: the patch is what a reviewer looks at.
constexpr int kExitNeedsMore = 3;

// learn's outputs are written after the workload ran, with the workload's own permissions around:
// a link it left at the output's name is replaced, never followed.
const WriteFileOptions kLearnOutput{
    .new_mode = 0644, .apply_umask = true, .replace = true, .links = WriteFileOptions::Links::Replace};

std::optional<double> seconds_of(const std::string& text) {
  try {
    size_t used = 0;
    const double s = std::stod(text, &used);
    if (used == text.size() && s > 0 && s <= 86400) return s;
  } catch (const std::exception&) {}
  return std::nullopt;
}

// A policy analyzed on its own engine, kept alive with its AST for the patch.
struct LoadedPolicy {
  diag::SourceManager sources;
  diag::Engine engine{sources};
  std::string text;
  std::optional<ast::File> file;
  std::optional<ir::Policy> policy;
};

bool load_policy(LoadedPolicy& p, const std::string& path, const CommonOptions& o) {
  std::string error;
  const auto text = read_small_file(path, error);
  if (!text) {
    std::cerr << "polc learn: " << error << "\n";
    return false;
  }
  p.text = *text;
  const diag::FileId fid = p.sources.add(path, p.text);
  p.file = syntax::parse(p.engine, fid);
  sema::Options so;
  so.load.stdlib_dir = o.stdlib_dir;
  if (p.file) p.policy = sema::analyze(p.engine, fid, path, so);
  if (!p.policy || p.engine.has_errors()) {
    report(p.engine, o, true);
    return false;
  }
  return true;
}

// The patched policy still compiles and allows every addition's observations.
std::vector<std::string> check_patch(const learn::Patch& patch, const std::string& path, const learn::Recording& rec,
                                     const CommonOptions& o) {
  std::vector<std::string> problems;
  if (patch.additions.empty()) return problems;
  diag::SourceManager sources;
  diag::Engine engine(sources);
  const diag::FileId fid = sources.add(path, patch.patched);
  sema::Options so;
  so.load.stdlib_dir = o.stdlib_dir;
  const auto policy = sema::analyze(engine, fid, path, so);
  if (!policy || engine.has_errors()) {
    problems.push_back("the patched policy does not compile:\n" +
                       diag::render(engine, diag::Format::Human, version(), docs_uri()));
    return problems;
  }
  for (const auto& [event, seen] : rec.events) {
    const learn::Judgement j = learn::judge(*policy, event);
    if (j.kind == learn::Judgement::Kind::Allow) continue;
    const std::string what = learn::describe(event);
    for (const learn::Addition& a : patch.additions)
      if (std::find(a.observations.begin(), a.observations.end(), what) != a.observations.end())
        problems.push_back("the patched policy still refuses " + what);
  }
  return problems;
}

nlohmann::json patch_json(const learn::Patch& patch, const std::string& path,
                          const std::vector<std::string>& problems) {
  using nlohmann::json;
  json additions = json::array();
  for (const learn::Addition& a : patch.additions) {
    static constexpr const char* kSections[] = {"syscalls", "filesystem", "network"};
    additions.push_back({{"section", kSections[static_cast<int>(a.rule.section)]},
                         {"rule", a.rule.text},
                         {"comment", a.rule.comment},
                         {"observations", a.observations},
                         {"count", a.count},
                         {"runs", a.runs}});
  }
  json blocked = json::array();
  for (const learn::Blocked& b : patch.blocked)
    blocked.push_back({{"observation", b.observation}, {"decided_by", b.decided_by}});
  return {{"policy", path},     {"additions", additions}, {"blocked", blocked}, {"inexpressible", patch.inexpressible},
          {"diff", patch.diff}, {"problems", problems}};
}

// The patch goes to `-o FILE` when given (atomically), else to stdout, where the workload's own
// output may precede it; the human summary goes to stderr.
int emit_patch(const learn::Patch& patch, const std::string& path, const learn::Recording& rec,
               const CommonOptions& o) {
  const std::vector<std::string> problems = check_patch(patch, path, rec, o);
  const std::string out =
      o.format == diag::Format::Json
          ? patch_json(patch, path, problems).dump(2, ' ', true, nlohmann::json::error_handler_t::replace) + "\n"
          : patch.diff;
  if (const auto file = value_of(o, "-o")) {
    if (auto error = write_file_atomically(*file, out, kLearnOutput)) {
      std::cerr << "polc learn: " << *error << "\n";
      return kExitErrors;
    }
  } else {
    std::cout << out << std::flush;
  }
  for (const learn::Blocked& b : patch.blocked) {
    std::cerr << "polc learn: " << b.observation << " is refused by a rule an addition cannot override:\n";
    for (const std::string& d : b.decided_by) std::cerr << "  " << d << "\n";
    std::cerr << "  (the most restrictive rule wins; narrow or remove it, or `import MODULE without NAME`)\n";
  }
  for (const std::string& i : patch.inexpressible) std::cerr << "polc learn: not patched: " << i << "\n";
  for (const std::string& p : problems) std::cerr << "polc learn: " << p << "\n";
  if (patch.additions.empty() && patch.blocked.empty() && patch.inexpressible.empty())
    std::cerr << "polc learn: " << path << " allows everything the runs did\n";
  else
    std::cerr << "polc learn: " << patch.additions.size() << " addition(s) to " << path << ", " << patch.blocked.size()
              << " refusal(s) decided by deny rules, " << patch.inexpressible.size() << " not expressible\n";
  if (!problems.empty()) return kExitErrors;
  return patch.additions.empty() && patch.blocked.empty() && patch.inexpressible.empty() ? kExitOk : kExitNeedsMore;
}

int learn_from_events(const std::string& events_path, const std::string& policy_path, const CommonOptions& o) {
  std::string error;
  const auto text = read_small_file(events_path, error);
  if (!text) {
    std::cerr << "polc learn: " << error << "\n";
    return kExitErrors;
  }
  size_t skipped = 0;
  const auto rec = learn::recording_from_events(*text, error, skipped);
  if (!rec) {
    std::cerr << "polc learn: " << events_path << ": " << error << "\n";
    return kExitErrors;
  }
  LoadedPolicy p;
  if (!load_policy(p, policy_path, o)) return kExitErrors;
  return emit_patch(learn::make_patch(policy_path, p.text, *p.file, p.sources, *p.policy, *rec), policy_path, *rec, o);
}

// What the draft left out, on stderr. A reason shared by many observations (a program probing a
// dozen locale files that do not exist) shows its first few and a count, so that the rare,
// interesting ones stay visible; --save-recording keeps every observation.
void print_left_out(const learn::Draft& draft) {
  constexpr size_t kShown = 3;
  std::map<std::string, size_t> per_reason;
  for (const auto& [event, why] : draft.excluded) ++per_reason[why];
  std::map<std::string, size_t> shown;
  for (const std::string& line : draft.left_out) {
    const auto reason = std::find_if(per_reason.begin(), per_reason.end(), [&](const auto& r) {
      return line.size() > r.first.size() + 2 && line.ends_with(": " + r.first);
    });
    if (reason != per_reason.end() && reason->second > kShown + 1 && shown[reason->first]++ >= kShown) continue;
    std::cerr << "polc learn: left out: " << line << "\n";
  }
  for (const auto& [why, count] : per_reason)
    if (count > kShown + 1)
      std::cerr << "polc learn: left out: " << count - kShown << " more observations: " << why << "\n";
}

}  // namespace

int cmd_learn(const Args& all) {
  // Everything after `--` is the workload's command line, options included.
  const auto dashes = std::find(all.begin(), all.end(), "--");
  const Args args(all.begin(), dashes);
  std::vector<std::string> command(dashes == all.end() ? all.end() : std::next(dashes), all.end());
  bool help = false;
  auto o = parse_options(args, "learn",
                         {"-o=", "--name=", "--within=", "--run=", "--timeout=", "--no-hardening",
                          "--against=", "--from=", "--let-refused-through", "--save-recording=", "--recording="},
                         help);
  if (!o) return help ? kExitOk : kExitUsage;
  const auto usage = [](const std::string& message) {
    std::cerr << "polc learn: " << message << " (see `polc learn --help`)\n";
    return kExitUsage;
  };
  if (const auto from = value_of(*o, "--from")) {
    if (o->files.size() != 1 || !command.empty()) return usage("--from EVENTS needs one policy file and no command");
    return learn_from_events(*from, o->files[0], *o);
  }
  if (!o->files.empty()) return usage("unexpected `" + o->files[0] + "`: the workload goes after `--`");

  LearnRuns runs;
  if (!command.empty()) runs.commands.push_back(command);
  for (const std::string& c : values_of(*o, "--run")) runs.commands.push_back({"/bin/sh", "-c", c});
  if (const auto t = value_of(*o, "--timeout")) {
    const auto s = seconds_of(*t);
    if (!s) return usage("--timeout needs seconds from 0 to 86400, not `" + *t + "`");
    runs.timeout_seconds = *s;
  }
  const std::vector<std::string> saved = values_of(*o, "--recording");
  if (runs.commands.empty() && saved.empty())
    return usage("give the workload after `--`, or --run 'CMD', or --recording FILE");

  const auto against_path = value_of(*o, "--against");
  LoadedPolicy against;
  if (against_path) {
    if (!saved.empty()) return usage("--against runs the workload; for recorded refusals use --from");
    if (!load_policy(against, *against_path, *o)) return kExitErrors;
    runs.against = &*against.policy;
    runs.let_refused_through = has_flag(*o, "--let-refused-through");
    if (runs.let_refused_through)
      std::cerr << "polc learn: WARNING: --let-refused-through: what " << *against_path
                << " refuses is NOT refused in these runs; they only record it. Use it only to learn, never "
                   "to run a payload you do not trust.\n";
  } else if (has_flag(*o, "--let-refused-through")) {
    return usage("--let-refused-through only applies with --against");
  }

  learn::Recording recording;
  for (const std::string& path : saved) {
    std::string error;
    const auto text = read_small_file(path, error);
    const auto rec = text ? learn::recording_from_json(*text, error) : std::nullopt;
    if (!rec) {
      std::cerr << "polc learn: " << path << ": " << error << "\n";
      return kExitErrors;
    }
    recording.merge(*rec);
  }
  if (!runs.commands.empty()) {
    const auto recorded = record_runs(runs);
    if (!recorded) return kExitErrors;
    recording.merge(*recorded);
  }
  if (const auto save = value_of(*o, "--save-recording")) {
    if (auto error = write_file_atomically(*save, learn::to_json(recording), kLearnOutput)) {
      std::cerr << "polc learn: " << *error << "\n";
      return kExitErrors;
    }
  }
  if (against_path)
    return emit_patch(
        learn::make_patch(*against_path, against.text, *against.file, against.sources, *against.policy, recording),
        *against_path, recording, *o);

  LoadedPolicy within;
  const auto within_path = value_of(*o, "--within");
  if (within_path && !load_policy(within, *within_path, *o)) return kExitErrors;
  learn::DraftOptions d;
  if (const auto name = value_of(*o, "--name")) d.name = *name;
  d.hardening = !has_flag(*o, "--no-hardening");
  d.within = within_path ? &*within.policy : nullptr;
  const learn::Draft draft = learn::draft_policy(recording, d);
  learn::ProveOptions po;
  po.within = d.within;
  po.left_out = &draft.excluded;
  // What `polc check` runs after the front end: the backends, their verification, coverage.
  po.backend_check = [](const ir::Policy& policy, diag::Engine& engine) {
    BuildInputs inputs;
    inputs.manifest = false;
    build_bundle(policy, inputs, engine);
  };
  const learn::Proof proof = learn::prove(draft.text, recording, po);
  print_left_out(draft);
  if (!proof.ok) {
    for (const std::string& p : proof.problems) std::cerr << "polc learn: not proved: " << p << "\n";
    std::cerr << "polc learn: the draft failed its proof; nothing written\n";
    return kExitErrors;
  }
  const auto out = value_of(*o, "-o");
  if (!out) {
    std::cout << draft.text;
  } else if (auto error = write_file_atomically(*out, draft.text, kLearnOutput)) {
    std::cerr << "polc learn: " << *error << "\n";
    return kExitErrors;
  }
  std::cerr << "polc learn: draft " << (out ? "written to " + *out : std::string("printed"))
            << (draft.partial ? " (PARTIAL: a run did not finish)" : "")
            << "; proved: `polc check --strict` is clean, the draft allows every one of the "
            << recording.events.size() - draft.excluded.size() << " distinct observations it did not leave out"
            << (within_path ? ", and grants nothing " + *within_path + " refuses" : "") << "\n";
  return kExitOk;
}

}  // namespace polc::driver
