// Stage: driver. `polc eval`'s query as a test block (see eval_query.h).
#include "compiler/driver/eval_query.h"

#include <algorithm>

#include "compiler/sema/syscall_table.h"
#include "compiler/syntax/parse.h"

namespace polc::driver {

namespace {

using diag::Code;

// The architectures the policy's `targets` statement names, read from its source without
// reporting anything: sema reports what is wrong with it when it analyzes the policy.
std::vector<arch::Arch> declared_targets(std::string_view policy_text) {
  diag::SourceManager sources;
  diag::Engine scratch(sources);
  const diag::FileId fid = sources.add("policy", std::string(policy_text));
  std::vector<arch::Arch> out;
  auto file = syntax::parse(scratch, fid);
  if (!file) return out;
  for (const ast::Item& item : file->items)
    if (const auto* t = std::get_if<ast::Targets>(&item))
      for (const ast::Name& n : t->arches)
        if (auto a = arch::from_name(n.text); a && std::find(out.begin(), out.end(), *a) == out.end())
          out.push_back(*a);
  std::sort(out.begin(), out.end());
  return out;
}

// The name `number` has on `a`, or "" when `a` has no such syscall.
std::string syscall_name_of(uint64_t number, arch::Arch a) {
  for (const auto& [nr, name] : sema::syscall_names(a))
    if (nr >= 0 && static_cast<uint64_t>(nr) == number) return name;
  return "";
}

ast::Test test_of(std::vector<ast::Expectation> expectations, ast::SourceRange range) {
  ast::Test t;
  t.name = {std::string(kEvalTest), range};
  t.expectations = std::move(expectations);
  t.range = range;
  return t;
}

ast::Expectation expect_allow(ast::Query query) {
  ast::Expectation e;
  e.action.kind = ast::ActionKind::Allow;
  e.action.range = query.range;
  e.range = query.range;
  e.query = std::move(query);
  return e;
}

}  // namespace

std::optional<EvalQuery> read_eval_query(diag::Engine& diags, diag::FileId query, const std::vector<arch::Arch>& arches,
                                         std::string_view policy_text) {
  auto parsed = syntax::parse_query(diags, query);
  if (!parsed) return std::nullopt;
  auto* sq = std::get_if<ast::SyscallQuery>(&parsed->query.q);
  if (sq != nullptr && sq->arch && !arches.empty()) {
    diags.report(Code::MalformedQuery, sq->arch->range, "the query names its architecture and so does `--arch`")
        .with_help("give the architecture once: `on " + sq->arch->text + "` or `--arch`");
    return std::nullopt;
  }
  const ast::SourceRange whole = parsed->query.range;
  EvalQuery out;
  if (!parsed->number) {
    // One `--arch`: the query is resolved there only, so a syscall other targets lack (`fork`
    // with aarch64 among them) can be asked about. Several are resolved on every target and
    // picked from the results.
    if (sq != nullptr && arches.size() == 1) sq->arch = ast::Name{std::string(arch::name(arches[0])), whole};
    std::vector<ast::Expectation> one;
    one.push_back(expect_allow(std::move(parsed->query)));
    out.tests.push_back(test_of(std::move(one), whole));
    return out;
  }

  // By number: the name the number has on each architecture asked about.
  const ast::SourceRange number_range = sq->target.name.range;
  std::vector<arch::Arch> on = arches;
  if (sq->arch) {
    if (auto a = arch::from_name(sq->arch->text)) on = {*a};
    else on.clear();  // not an architecture at all: sema says so below, at the name
  } else if (on.empty()) {
    on = declared_targets(policy_text);
  }
  const bool asked_on = sq->arch.has_value() || !arches.empty();
  std::vector<ast::Expectation> expectations;
  bool ok = true;
  for (arch::Arch a : on) {
    const std::string name = syscall_name_of(*parsed->number, a);
    if (name.empty() && !asked_on) {
      out.number_missing.push_back(a);
      continue;
    }
    if (name.empty()) {
      diags
          .report(Code::UnknownSyscallNumber, number_range,
                  "no syscall has number " + std::to_string(*parsed->number) + " on " + std::string(arch::name(a)))
          .with_help("check the architecture the number comes from (an audit record's `arch=`), or ask by name");
      ok = false;
      continue;
    }
    // Each architecture's expectation is its own parse of the query (the AST is not copyable),
    // with the number's name replaced: every range still points into the query.
    auto again = syntax::parse_query(diags, query);
    if (!again) return std::nullopt;
    auto& q = std::get<ast::SyscallQuery>(again->query.q);
    q.target.name.text = name;
    if (!q.arch) q.arch = ast::Name{std::string(arch::name(a)), whole};
    expectations.push_back(expect_allow(std::move(again->query)));
    out.number_arches.push_back(a);
  }
  if (on.empty() && !sq->arch) {
    diags.report(Code::UnknownSyscallNumber, number_range, "a syscall number needs an architecture")
        .with_help("give the policy `targets`, or the architecture with `--arch`");
    return std::nullopt;
  }
  if (!asked_on && out.number_arches.empty()) {
    std::string names;
    for (arch::Arch a : on) names += (names.empty() ? "" : ", ") + std::string(arch::name(a));
    diags
        .report(Code::UnknownSyscallNumber, number_range,
                "no target of the policy has syscall number " + std::to_string(*parsed->number) + " (" + names + ")")
        .with_help("check the number and the architecture it comes from, or ask by name");
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  if (on.empty()) {
    // `on NAME` that is no architecture: lowered as written, so sema reports it at the name.
    auto again = syntax::parse_query(diags, query);
    if (!again) return std::nullopt;
    expectations.push_back(expect_allow(std::move(again->query)));
  }
  out.number = parsed->number;
  out.tests.push_back(test_of(std::move(expectations), whole));
  return out;
}

}  // namespace polc::driver
