// Stage: driver. `polc eval FILE 'CALL'`: what the policy decides for one concrete syscall, why
// (the rules that matched, the default, or a foreign arch), and what the emitted filter decides
// for the same call (run in polc's BPF interpreter), per target.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/emit.h"
#include "compiler/driver/session.h"
#include "compiler/ir/evaluate.h"
#include "compiler/sema/analyze.h"
#include "compiler/syntax/parse.h"

namespace polc::driver {

namespace {

constexpr std::string_view kEvalTest = "polc eval query";

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

// The source of `fid` with a test holding the query added before the policy's closing brace, so
// the query is resolved by sema exactly as a `test` would be (argument names, per-arch constants).
std::optional<std::string> with_query(diag::Engine& engine, diag::FileId fid, const std::string& call,
                                      const std::vector<arch::Arch>& arches) {
  auto file = syntax::parse(engine, fid);
  if (!file) return std::nullopt;
  const std::string text(engine.sources().contents(fid));
  const uint32_t end = file->range.end;
  if (file->kind != ast::UnitKind::Policy || end == 0 || end > text.size() || text[end - 1] != '}') return std::nullopt;
  // The query goes on its own lines so that a comment in it cannot swallow the closing braces.
  // One arch: the query names it, so a syscall other targets lack resolves (`fork` with aarch64).
  const std::string on = arches.size() == 1 ? " on " + std::string(arch::name(arches[0])) : "";
  return text.substr(0, end - 1) + "\ntest \"" + std::string(kEvalTest) + "\" {\nexpect allow " + call + on + "\n}\n" +
         text.substr(end - 1);
}

struct RuleView {
  std::string action, at, text;
};

RuleView view(const diag::SourceManager& sources, const ir::SyscallRule& r) {
  RuleView v{ir::action_text(r.action), "", ""};
  if (!r.origins.empty()) {
    const ir::Origin& o = r.origins.front();
    v.at = o.where;
    if (o.range.valid()) {
      const auto lc = sources.line_col(o.range.file, o.range.begin);
      std::string line(sources.line_text(o.range.file, lc.line));
      line.erase(0, line.find_first_not_of(" \t"));
      v.text = line;
    }
  }
  return v;
}

}  // namespace

int cmd_eval(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "eval", {"--arch="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (o->files.size() != 2) {
    std::cerr << "polc eval: give a policy file and one call, e.g. 'socket(AF_INET, SOCK_STREAM, 0)'\n"
                 "(see `polc eval --help`)\n";
    return kExitUsage;
  }
  const std::string& path = o->files[0];
  const std::string& call = o->files[1];
  if (call.find_first_of("\n{}#") != std::string::npos) {
    std::cerr << "polc eval: the call must be one syscall with its arguments, e.g. 'ioctl(0, TIOCSTI, 0)'\n";
    return kExitUsage;
  }
  std::vector<arch::Arch> wanted;
  for (const std::string& list : values_of(*o, "--arch")) {
    std::stringstream in(list);
    for (std::string name; std::getline(in, name, ',');) {
      auto a = arch::from_name(name);
      if (!a) {
        std::cerr << "polc eval: unknown arch `" << name << "` (supported: " << arch::supported_list() << ")\n";
        return kExitUsage;
      }
      wanted.push_back(*a);
    }
  }

  diag::SourceManager sources;
  diag::Engine engine(sources);
  auto fid = sema::read_source(engine, path, {});
  std::optional<ir::Policy> policy;
  if (fid) {
    if (auto text = with_query(engine, *fid, call, wanted)) {
      const diag::FileId with = sources.add(path, std::move(*text));
      sema::Options so;
      so.load.stdlib_dir = o->stdlib_dir;
      policy = sema::analyze(engine, with, path, so);
    } else if (!engine.has_errors()) {
      std::cerr << "polc eval: `" << path << "` is not a policy\n";
      return kExitUsage;
    }
  }
  std::optional<backends::seccomp::SeccompArtifacts> filters;
  if (policy) filters = backends::seccomp::emit(*policy, engine);
  if (const int status = report(engine, *o, /*to_stderr=*/true); status != kExitOk || !policy || !filters)
    return status == kExitOk ? kExitErrors : status;

  const ir::Test* test = nullptr;
  for (const ir::Test& t : policy->tests)
    if (t.name == kEvalTest) test = &t;
  if (!test || test->expectations.size() != 1 || test->expectations[0].query.kind != ir::QueryKind::Syscall) {
    std::cerr << "polc eval: `" << call << "` is not a syscall query\n";
    return kExitUsage;
  }
  const ir::SyscallQuery& q = test->expectations[0].query.syscall;
  for (arch::Arch a : wanted)  // several --arch values: the query was resolved on every target
    if (std::find(policy->targets.begin(), policy->targets.end(), a) == policy->targets.end()) {
      std::cerr << "polc eval: " << arch::name(a) << " is not one of the policy's targets\n";
      return kExitUsage;
    }

  nlohmann::json results = nlohmann::json::array();
  std::ostringstream text;
  for (const ir::SyscallQueryArch& qa : q.per_arch) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), qa.arch) == wanted.end()) continue;
    std::array<uint64_t, 6> regs{};
    std::copy(qa.args.begin(), qa.args.end(), regs.begin());
    const uint32_t audit = arch::audit_arch(qa.arch);
    const ir::SyscallDecision d = ir::decide(*policy, audit, qa.nr, regs);

    backends::seccomp::SeccompData data;
    data.nr = qa.nr;
    data.arch = audit;
    data.args = regs;
    std::optional<backends::seccomp::RunResult> run;
    for (const auto& p : filters->programs)
      if (p.arch == qa.arch) run = backends::seccomp::run(p.insns, data, arch::big_endian(qa.arch));
    const ir::Action filter_action = run ? backends::seccomp::decode_ret(run->ret) : ir::Action{};

    std::string shown = q.syscall + "(";
    for (size_t i = 0; i < qa.args.size(); ++i) shown += (i ? ", " : "") + hex(qa.args[i]);
    shown += ")";
    nlohmann::json j = {{"arch", arch::name(qa.arch)},
                        {"syscall", q.syscall},
                        {"nr", qa.nr},
                        {"args", qa.args},
                        {"action", ir::action_text(d.action)}};
    j["reason"] = d.reason == ir::SyscallDecision::Reason::Rules     ? "rules"
                  : d.reason == ir::SyscallDecision::Reason::Default ? "default"
                                                                     : "foreign";
    text << arch::name(qa.arch) << ": " << shown << " -> " << ir::action_text(d.action) << "\n";
    if (d.reason == ir::SyscallDecision::Reason::Default) text << "  no rule matches; the policy's default decides\n";
    j["rules"] = nlohmann::json::array();
    for (const ir::SyscallRule* r : d.matched) {
      const RuleView v = view(sources, *r);
      const bool wins = r->action == d.action;
      text << "  " << (wins ? "decided by: " : "also matches (less restrictive): ") << v.text << "\n"
           << "      " << v.at << "\n";
      j["rules"].push_back({{"action", v.action}, {"at", v.at}, {"source", v.text}, {"decides", wins}});
    }
    if (run) {
      const bool agrees = filter_action == d.action;
      text << "  seccomp." << arch::name(qa.arch) << ".bpf: " << ir::action_text(filter_action) << " after "
           << run->executed << " instructions" << (agrees ? "" : "  (DISAGREES WITH THE POLICY)") << "\n";
      j["filter"] = {{"action", ir::action_text(filter_action)}, {"executed", run->executed}, {"agrees", agrees}};
    }
    results.push_back(std::move(j));
  }
  if (o->format == diag::Format::Json) std::cout << results.dump(2) << "\n";
  else std::cout << text.str();
  return kExitOk;
}

}  // namespace polc::driver
