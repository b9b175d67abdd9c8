// Stage: driver. `polc eval`'s explanations (see eval_report.h).
#include "compiler/driver/eval_report.h"

#include <algorithm>
#include <sstream>

#include "backends/seccomp/bpf_interp.h"
#include "compiler/ir/evaluate.h"
#include "compiler/ir/evaluate_access.h"
#include "compiler/ir/net_query_regions.h"
#include "compiler/verify/run_tests.h"

namespace polc::driver {

namespace {

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

// A deciding statement as eval shows it: where (file:line:col) and its first source line.
struct RuleView {
  std::string at, source;
};

RuleView rule_view(const diag::SourceManager& sources, const ir::Origin& o) {
  // Statements without a place in the source (the implicit metadata deny) carry a description.
  if (!o.range.valid()) return {o.where, ""};
  const auto lc = sources.line_col(o.range.file, o.range.begin);
  std::string line(sources.line_text(o.range.file, lc.line));
  line.erase(0, line.find_first_not_of(" \t"));
  return {sources.path(o.range.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column), line};
}

// "    decided by: SOURCE\n        AT\n" for each statement, and their JSON.
void deciding_statements(const diag::SourceManager& sources, const std::vector<ir::Origin>& deciding,
                         std::ostringstream& text, nlohmann::json& rules) {
  rules = nlohmann::json::array();
  for (const ir::Origin& o : deciding) {
    const RuleView v = rule_view(sources, o);
    if (v.source.empty()) text << "    decided by: " << v.at << "\n";
    else text << "    decided by: " << v.source << "\n        " << v.at << "\n";
    rules.push_back({{"at", v.at}, {"source", v.source}});
  }
}

// The errno Landlock refuses rights with: EXDEV for a link or rename that changes the parent
// (refer), EACCES for every other right.
std::string_view landlock_errno(uint64_t rights) {
  if (rights == ir::fs_right::kRefer) return "EXDEV";
  return (rights & ir::fs_right::kRefer) != 0 ? "EACCES, EXDEV for refer" : "EACCES";
}

std::string fs_reason_name(ir::FsDecision::Reason r) {
  switch (r) {
    case ir::FsDecision::Reason::NoSection: return "no_section";
    case ir::FsDecision::Reason::Unhandled: return "unhandled";
    case ir::FsDecision::Reason::Denied: return "denied";
    case ir::FsDecision::Reason::Granted: return "granted";
    case ir::FsDecision::Reason::NotGranted: return "not_granted";
  }
  return "";
}

std::string net_reason_name(ir::NetDecision::Reason r) {
  switch (r) {
    case ir::NetDecision::Reason::Denied: return "denied";
    case ir::NetDecision::Reason::NoSection: return "no_section";
    case ir::NetDecision::Reason::Allowed: return "allowed";
    case ir::NetDecision::Reason::Proxy: return "proxy";
    case ir::NetDecision::Reason::NotAllowed: return "not_allowed";
  }
  return "";
}

// The same query expected denied: run beside the expected allow, it tells "deny" from a mix.
ir::Expectation expecting_deny(const ir::Expectation& e) {
  ir::Expectation d = e;
  d.action = ir::Action{ir::ActionKind::Errno, 0};
  d.any_denial = true;
  return d;
}

// What `polc test` would call the decision: "allow", "deny", or for a filesystem query whose
// rights go different ways "allow read; deny write".
std::string overall(const ir::Policy& policy, const ir::Expectation& e, std::string& query_text) {
  const verify::ExpectationResult allowed = verify::run_expectation(policy, e);
  query_text = allowed.query;
  if (allowed.passed) return "allow";
  const ir::Expectation d = expecting_deny(e);
  if (verify::run_expectation(policy, d).passed) return "deny";
  return e.query.kind == ir::QueryKind::Fs ? allowed.decided : "allow for some requests, deny for others";
}

}  // namespace

EvalReport explain_syscall(const diag::SourceManager& sources, const ir::Policy& policy,
                           const backends::seccomp::SeccompArtifacts& filters,
                           const std::vector<const ir::Expectation*>& expectations,
                           const std::vector<arch::Arch>& wanted, std::optional<uint64_t> number,
                           const std::vector<arch::Arch>& number_missing) {
  EvalReport out;
  std::ostringstream text;
  for (const ir::Expectation* e : expectations) {
    const ir::SyscallQuery& q = e->query.syscall;
    for (const ir::SyscallQueryArch& qa : q.per_arch) {
      if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), qa.arch) == wanted.end()) continue;
      std::array<uint64_t, 6> regs{};
      std::copy_n(qa.args.begin(), std::min<size_t>(qa.args.size(), regs.size()), regs.begin());
      const uint32_t audit = arch::audit_arch(qa.arch);
      const ir::SyscallDecision d = ir::decide(policy, audit, qa.nr, regs);

      backends::seccomp::SeccompData data;
      data.nr = qa.nr;
      data.arch = audit;
      data.args = regs;
      std::optional<backends::seccomp::RunResult> run;
      for (const auto& p : filters.programs)
        if (p.arch == qa.arch) run = backends::seccomp::run(p.insns, data, arch::big_endian(qa.arch));
      const ir::Action filter_action = run ? backends::seccomp::decode_ret(run->ret) : ir::Action{};

      std::string shown = q.syscall + "(";
      for (size_t i = 0; i < qa.args.size(); ++i) shown += (i ? ", " : "") + hex(qa.args[i]);
      shown += ")";
      nlohmann::json j = {{"layer", "seccomp"},   {"arch", arch::name(qa.arch)},
                          {"syscall", q.syscall}, {"nr", qa.nr},
                          {"args", qa.args},      {"action", ir::action_text(d.action)}};
      j["reason"] = d.reason == ir::SyscallDecision::Reason::Rules     ? "rules"
                    : d.reason == ir::SyscallDecision::Reason::Default ? "default"
                                                                       : "foreign";
      text << arch::name(qa.arch) << ": " << shown << " -> " << ir::action_text(d.action) << "\n";
      if (number) text << "  syscall " << *number << " is " << q.syscall << " on " << arch::name(qa.arch) << "\n";
      if (d.reason == ir::SyscallDecision::Reason::Default) {
        text << "  no rule matches; the policy's default decides\n";
        if (policy.syscalls.default_written) {
          const RuleView v = rule_view(sources, policy.syscalls.default_origin);
          text << "  decided by: " << v.source << "\n      " << v.at << "\n";
          j["default"] = {{"at", v.at}, {"source", v.source}};
        }
      }
      j["rules"] = nlohmann::json::array();
      for (const ir::SyscallRule* r : d.matched) {
        const RuleView v = r->origins.empty() ? RuleView{} : rule_view(sources, r->origins.front());
        const bool wins = r->action == d.action;
        text << "  " << (wins ? "decided by: " : "also matches (less restrictive): ") << v.source << "\n"
             << "      " << v.at << "\n";
        j["rules"].push_back(
            {{"action", ir::action_text(r->action)}, {"at", v.at}, {"source", v.source}, {"decides", wins}});
      }
      if (run) {
        const bool agrees = filter_action == d.action;
        text << "  seccomp." << arch::name(qa.arch) << ".bpf: " << ir::action_text(filter_action) << " after "
             << run->executed << " instructions" << (agrees ? "" : "  (DISAGREES WITH THE POLICY)") << "\n";
        j["filter"] = {{"action", ir::action_text(filter_action)}, {"executed", run->executed}, {"agrees", agrees}};
      }
      out.json.push_back(std::move(j));
    }
  }
  for (arch::Arch a : number_missing)
    text << arch::name(a) << ": no syscall has number " << *number << " (not evaluated)\n";
  out.text = text.str();
  return out;
}

EvalReport explain_fs(const diag::SourceManager& sources, const ir::Policy& policy, const ir::Expectation& e) {
  EvalReport out;
  std::ostringstream text;
  const ir::FsQuery& q = e.query.fs;
  const unsigned abi = policy.filesystem.min_abi;
  std::string query_text;
  const std::string decision = overall(policy, e, query_text);
  text << query_text << " -> " << decision << "\n";

  // Rights that the same statements decide the same way are shown together.
  struct Group {
    uint64_t rights = 0;
    ir::FsDecision decision;
  };
  std::vector<Group> groups;
  for (uint64_t bit = 1; bit != 0 && bit <= q.rights; bit <<= 1) {
    if ((q.rights & bit) == 0) continue;
    ir::FsDecision d = ir::decide_fs(policy.filesystem, q.path, bit);
    auto same = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return g.decision.allowed == d.allowed && g.decision.reason == d.reason && g.decision.deciding == d.deciding;
    });
    if (same != groups.end()) same->rights |= bit;
    else groups.push_back({bit, std::move(d)});
  }
  for (const Group& g : groups) {
    const std::vector<std::string> names = ir::fs_right_names(g.rights);
    std::string joined;
    for (const std::string& n : names) joined += (joined.empty() ? "" : ", ") + n;
    const std::string action = g.decision.allowed ? "allow" : "deny";
    text << "  landlock: " << joined << " -> " << action;
    if (!g.decision.allowed) text << " (" << landlock_errno(g.rights) << ")";
    text << "\n    " << verify::fs_role(g.decision, joined, abi) << "\n";
    nlohmann::json j = {{"layer", "landlock"},
                        {"path", q.path},
                        {"rights", names},
                        {"action", action},
                        {"reason", fs_reason_name(g.decision.reason)},
                        {"why", verify::fs_role(g.decision, joined, abi)}};
    if (!g.decision.allowed) j["errno"] = std::string(landlock_errno(g.rights));
    deciding_statements(sources, g.decision.deciding, text, j["rules"]);
    out.json.push_back(std::move(j));
  }
  out.text = text.str();
  return out;
}

EvalReport explain_net(const diag::SourceManager& sources, const ir::Policy& policy, const ir::Expectation& e) {
  EvalReport out;
  std::ostringstream text;
  std::string query_text;
  const std::string decision = overall(policy, e, query_text);
  text << query_text << " -> " << decision << "\n";
  for (const ir::NetRequest& r : ir::representative_requests(policy.network, e.query.net)) {
    const ir::NetDecision d = ir::decide_net(policy.network, r);
    const std::string action = d.allowed ? "allow" : "deny";
    const std::string why = verify::net_role(d, policy.network);
    text << "  network: " << ir::request_text(r) << " -> " << action << "\n";
    if (!why.empty()) text << "    " << why << "\n";
    nlohmann::json j = {{"layer", "network"},
                        {"request", ir::request_text(r)},
                        {"action", action},
                        {"reason", net_reason_name(d.reason)},
                        {"why", why}};
    deciding_statements(sources, d.deciding, text, j["rules"]);
    out.json.push_back(std::move(j));
  }
  out.text = text.str();
  return out;
}

}  // namespace polc::driver
