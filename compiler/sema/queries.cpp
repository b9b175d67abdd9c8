// Stage: sema. Assertions and tests: queries resolved like rules (per arch for syscalls), kept in
// the IR for the verifier and the test runner.
#include <set>

#include "compiler/sema/conditions.h"
#include "compiler/sema/fs_values.h"
#include "compiler/sema/net_values.h"
#include "compiler/sema/syscall_rules.h"

namespace polc::sema {

using diag::Code;

namespace {

// One syscall query per syscall: a group in an assertion stands for each of its members.
std::vector<ir::Query> syscall_queries(Context& ctx, const ast::SyscallQuery& q, bool concrete) {
  std::vector<ir::Query> out;
  const ast::SyscallTarget& t = q.target;
  std::vector<arch::Arch> arches = ctx.targets;
  if (q.arch) {
    auto a = arch::from_name(q.arch->text);
    if (!a || std::find(ctx.targets.begin(), ctx.targets.end(), *a) == ctx.targets.end()) {
      ctx.diags.report(Code::MalformedQuery, q.arch->range,
                       "`" + q.arch->text + "` is not one of the policy's targets");
      return out;
    }
    arches = {*a};
  }
  std::vector<std::pair<std::string, bool>> names;  // (syscall, optional)
  if (t.is_group) {
    if (t.has_parens) {
      ctx.diags.report(Code::ConditionOnGroup, t.range, "a group cannot take arguments");
      return out;
    }
    for (const auto& m : expand_group(ctx, t.name.text, t.name.range)) names.push_back({m.syscall, true});
  } else {
    names.push_back({t.name.text, t.optional});
  }
  const auto saved = ctx.targets;
  ctx.targets = arches;
  for (const auto& [name, optional] : names) {
    ir::Query query;
    query.kind = ir::QueryKind::Syscall;
    query.syscall.syscall = name;
    query.syscall.concrete = concrete;
    bool ok = true;
    for (const ArchSyscall& as : resolve_syscall_name(ctx, name, optional, t.name.range, !t.is_group)) {
      ir::SyscallQueryArch qa{as.arch, as.nr, {}, {}};
      if (concrete) {
        auto args = t.is_group ? std::optional<std::vector<uint64_t>>(std::vector<uint64_t>{})
                               : resolve_call_args(ctx, t, as.arch);
        if (!args) {
          ok = false;
          break;
        }
        qa.args = std::move(*args);
      } else {
        auto cond =
            t.is_group ? std::optional<ir::BoolExpr>(ir::BoolExpr::truth()) : resolve_condition(ctx, t, as.arch);
        auto dnf = cond ? ir::to_dnf(*cond, 1024) : std::nullopt;
        if (!dnf) {
          if (cond)
            ctx.diags.report(Code::ConditionTooComplex, t.range, "this condition expands to too many alternatives");
          ok = false;
          break;
        }
        qa.when = std::move(*dnf);
      }
      query.syscall.per_arch.push_back(std::move(qa));
    }
    if (ok && !query.syscall.per_arch.empty()) out.push_back(std::move(query));
  }
  ctx.targets = saved;
  return out;
}

std::optional<ir::Query> fs_query(Context& ctx, const ast::FsQuery& q) {
  auto rights = resolve_rights(ctx, q.rights, ctx.policy.filesystem.min_abi);
  if (!check_path(ctx, q.path) || !rights) return std::nullopt;
  ir::Query out;
  out.kind = ir::QueryKind::Fs;
  out.fs = {q.path.value, *rights};
  return out;
}

std::optional<ir::Query> net_query(Context& ctx, const ast::NetQuery& q, ast::SourceRange range) {
  ir::Query out;
  out.kind = ir::QueryKind::Net;
  out.net.direction = q.direction == ast::Direction::Bind ? ir::Direction::Bind : ir::Direction::Connect;
  out.net.proto = q.proto == ast::Proto::Udp ? ir::Proto::Udp : ir::Proto::Tcp;
  if (q.port) {
    auto p = check_port(ctx, *q.port);
    if (!p) return std::nullopt;
    out.net.port = *p;
  }
  if (q.host) {
    if (q.host->kind == ast::HostKind::Group) {
      ctx.diags.report(Code::MalformedQuery, q.host->range, "a query names one host, not a set")
          .with_help("write one address or domain");
      return std::nullopt;
    }
    auto h = parse_host(ctx, *q.host);
    if (!h) return std::nullopt;
    out.net.host = *h;
  }
  if (q.direction == ast::Direction::Bind && q.host) {
    ctx.diags.report(Code::MalformedQuery, range, "`bind` queries take a port only");
    return std::nullopt;
  }
  return out;
}

std::vector<ir::Query> queries(Context& ctx, const ast::Query& q, bool concrete) {
  if (const auto* s = std::get_if<ast::SyscallQuery>(&q.q)) return syscall_queries(ctx, *s, concrete);
  std::optional<ir::Query> one;
  if (const auto* f = std::get_if<ast::FsQuery>(&q.q)) one = fs_query(ctx, *f);
  else one = net_query(ctx, std::get<ast::NetQuery>(q.q), q.range);
  if (!one) return {};
  return {std::move(*one)};
}

// One test block of the root policy (unit 0), or one added to it.
void lower_test(Context& ctx, const ast::Test& test_ast, std::map<std::string, ast::SourceRange>& test_names) {
  const size_t unit = 0;
  const ast::Test* t = &test_ast;
  if (auto [it, inserted] = test_names.emplace(t->name.value, t->name.range); !inserted) {
    ctx.diags.report(Code::DuplicateTest, t->name.range, "a test named \"" + t->name.value + "\" already exists")
        .note(it->second, "first defined here");
    return;
  }
  ir::Test test;
  test.name = t->name.value;
  test.origin = ctx.origin(unit, t->range);
  for (const ast::Expectation& e : t->expectations) {
    const bool syscall_query = std::holds_alternative<ast::SyscallQuery>(e.query.q);
    const auto k = e.action.kind;
    if (!syscall_query && k != ast::ActionKind::Allow && k != ast::ActionKind::Deny) {
      ctx.diags
          .report(Code::BadExpectation, e.action.range, "filesystem and network queries are either allowed or denied")
          .with_help("expect `allow` or `deny`");
      continue;
    }
    ir::Expectation ex;
    ex.origin = ctx.origin(unit, e.range);
    ex.any_denial = k == ast::ActionKind::Deny && (e.action.value == nullptr);
    if (!ex.any_denial && syscall_query) {
      auto act =
          resolve_action(ctx, e.action, nullptr, {}, ctx.targets.empty() ? arch::Arch::x86_64 : ctx.targets.front());
      if (!act) continue;
      ex.action = *act;
    } else if (!syscall_query) {
      ex.action = ir::Action{k == ast::ActionKind::Allow ? ir::ActionKind::Allow : ir::ActionKind::Errno, 0};
    }
    for (ir::Query& q : queries(ctx, e.query, true)) {
      ex.query = std::move(q);
      test.expectations.push_back(ex);
    }
  }
  ctx.policy.tests.push_back(std::move(test));
}

}  // namespace

void lower_queries(Context& ctx, const std::vector<ast::Test>* extra_tests) {
  std::map<std::string, ast::SourceRange> test_names;
  // Only the policy's own assertions and tests: a module's tests describe the module and are run
  // when the module itself is checked.
  const size_t unit = 0;
  for (const ast::Item& item : ctx.unit(unit).ast.items) {
    if (const auto* a = std::get_if<ast::Assertion>(&item)) {
      for (ir::Query& q : queries(ctx, a->query, false))
        ctx.policy.assertions.push_back({a->never, std::move(q), ctx.origin(unit, a->range)});
      continue;
    }
    if (const auto* t = std::get_if<ast::Test>(&item)) lower_test(ctx, *t, test_names);
  }
  if (extra_tests != nullptr)
    for (const ast::Test& t : *extra_tests) lower_test(ctx, t, test_names);
}

}  // namespace polc::sema
