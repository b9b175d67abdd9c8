// Stage: driver. `polc eval FILE QUERY`: what the policy decides for one concrete request and why:
// a syscall (by name with arguments, or by number) per target, with what the emitted filter
// decides for the same call (run in polc's BPF interpreter); rights on a path (Landlock); a
// connect or bind (the network section). The query is read from its own source, `<query>`, and
// lowered as a `test` expectation, so its diagnostics point into it and eval decides as `polc
// test` does.
#include <algorithm>
#include <iostream>
#include <sstream>

#include "backends/seccomp/emit.h"
#include "compiler/driver/eval_query.h"
#include "compiler/driver/eval_report.h"
#include "compiler/driver/session.h"
#include "compiler/sema/analyze.h"

namespace polc::driver {

int cmd_eval(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "eval", {"--arch="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (o->files.size() != 2) {
    std::cerr << "polc eval: give a policy file and one query, e.g. 'socket(AF_INET, SOCK_STREAM, 0)', "
                 "'read \"/etc/passwd\"' or 'connect tcp 443 to \"example.org\"'\n"
                 "(see `polc eval --help`)\n";
    return kExitUsage;
  }
  const std::string& path = o->files[0];
  std::vector<arch::Arch> wanted;
  for (const std::string& list : values_of(*o, "--arch")) {
    std::stringstream in(list);
    for (std::string name; std::getline(in, name, ',');) {
      auto a = arch::from_name(name);
      if (!a) {
        std::cerr << "polc eval: unknown arch `" << name << "` (supported: " << arch::supported_list() << ")\n";
        return kExitUsage;
      }
      if (std::find(wanted.begin(), wanted.end(), *a) == wanted.end()) wanted.push_back(*a);
    }
  }

  diag::SourceManager sources;
  diag::Engine engine(sources);
  auto fid = sema::read_source(engine, path, {});
  const diag::FileId query_file = sources.add("<query>", o->files[1]);
  std::optional<EvalQuery> query;
  std::optional<ir::Policy> policy;
  if (fid) query = read_eval_query(engine, query_file, wanted, sources.contents(*fid));
  if (query) {
    sema::Options so;
    so.load.stdlib_dir = o->stdlib_dir;
    so.extra_tests = &query->tests;
    policy = sema::analyze(engine, *fid, path, so);
    if (!policy && !engine.has_errors()) {
      std::cerr << "polc eval: `" << path << "` is not a policy\n";
      return kExitUsage;
    }
  }
  std::optional<backends::seccomp::SeccompArtifacts> filters;
  if (policy) filters = backends::seccomp::emit(*policy, engine);
  if (const int status = report(engine, *o, /*to_stderr=*/true); status != kExitOk || !policy || !filters)
    return status == kExitOk ? kExitErrors : status;

  // The query's test is the last: sema lowers the policy's own tests first.
  const ir::Test* test = policy->tests.empty() ? nullptr : &policy->tests.back();
  if (test == nullptr || test->name != kEvalTest || test->expectations.empty()) {
    std::cerr << "polc eval: the query asks about nothing\n";
    return kExitErrors;
  }
  for (arch::Arch a : wanted)  // several --arch values: the query was resolved on every target
    if (std::find(policy->targets.begin(), policy->targets.end(), a) == policy->targets.end()) {
      std::cerr << "polc eval: " << arch::name(a) << " is not one of the policy's targets\n";
      return kExitUsage;
    }

  const ir::Expectation& first = test->expectations.front();
  EvalReport r;
  switch (first.query.kind) {
    case ir::QueryKind::Syscall: {
      std::vector<const ir::Expectation*> all;
      for (const ir::Expectation& e : test->expectations) all.push_back(&e);
      r = explain_syscall(sources, *policy, *filters, all, wanted, query->number, query->number_missing);
      break;
    }
    case ir::QueryKind::Fs: r = explain_fs(sources, *policy, first); break;
    case ir::QueryKind::Net: r = explain_net(sources, *policy, first); break;
  }
  if (o->format == diag::Format::Json) std::cout << r.json.dump(2) << "\n";
  else std::cout << r.text;
  return kExitOk;
}

}  // namespace polc::driver
