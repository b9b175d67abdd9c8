// Stage: verify. Concrete evaluation of `test` blocks (see run_tests.h).
#include "compiler/verify/run_tests.h"

#include <algorithm>
#include <sstream>

#include "compiler/ir/evaluate.h"
#include "compiler/ir/evaluate_access.h"
#include "compiler/ir/net_query_regions.h"

namespace polc::verify {

namespace {

// Between the two halves of a filesystem decision whose rights go different ways:
// "allow read; deny write".
constexpr const char* kMixedSeparator = "; deny ";

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

// ---- how queries are written back ----

std::string syscall_text(const ir::SyscallQuery& q, const ir::SyscallQueryArch& qa) {
  if (qa.args.empty()) return q.syscall;
  std::string s = q.syscall + "(";
  for (size_t i = 0; i < qa.args.size(); ++i) s += (i ? ", " : "") + hex(qa.args[i]);
  return s + ")";
}

}  // namespace

// Rights as a policy writes them: the composites `read` and `write` (as the policy's ABI expands
// it) where the query holds all of their bits, fine rights for the rest.
std::string rights_text(uint64_t rights, unsigned abi) {
  namespace fr = ir::fs_right;
  constexpr uint64_t kRead = fr::kReadFile | fr::kReadDir;
  const uint64_t write = (fr::kWriteFile | fr::kRemoveDir | fr::kRemoveFile | fr::kMakeDir | fr::kMakeReg |
                          fr::kMakeSock | fr::kMakeFifo | fr::kMakeSym | fr::kRefer | fr::kTruncate) &
                         (abi == 0 ? ~uint64_t{0} : ir::fs_rights_for_abi(abi));
  std::vector<std::string> parts;
  if ((rights & kRead) == kRead) {
    parts.push_back("read");
    rights &= ~kRead;
  }
  if ((rights & write) == write) {
    parts.push_back("write");
    rights &= ~write;
  }
  for (uint64_t bit = 1; bit != 0 && bit <= rights; bit <<= 1)
    if (rights & bit) parts.push_back(std::string(ir::fs_right_name(bit)));
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s;
}

namespace {

std::string net_query_text(const ir::NetQuery& q) {
  std::string s = q.direction == ir::Direction::Bind ? "bind" : "connect";
  s += q.proto == ir::Proto::Udp ? " udp " : " tcp ";
  if (!q.port) s += "any";
  else if (q.port->low == q.port->high) s += std::to_string(q.port->low);
  else s += std::to_string(q.port->low) + "-" + std::to_string(q.port->high);
  if (q.host && q.host->kind == ir::HostKind::Domain) s += " to \"" + ir::host_to_string(*q.host) + "\"";
  else if (q.host) s += " to " + ir::host_to_string(*q.host);
  return s;
}

std::string expected_text(const ir::Expectation& e) {
  if (e.any_denial) return "deny";
  if (e.query.kind != ir::QueryKind::Syscall) return e.action.kind == ir::ActionKind::Allow ? "allow" : "deny";
  return ir::action_text(e.action);
}

// ---- one expectation per kind ----

void run_syscall(const ir::Policy& policy, const ir::Expectation& e, ExpectationResult& out) {
  const ir::SyscallQuery& q = e.query.syscall;
  for (const ir::SyscallQueryArch& qa : q.per_arch) {
    std::array<uint64_t, 6> regs{};
    std::copy_n(qa.args.begin(), std::min<size_t>(qa.args.size(), regs.size()), regs.begin());
    const ir::SyscallDecision d = ir::decide(policy, arch::audit_arch(qa.arch), qa.nr, regs);
    // `deny` is a refusal as assertions count it: the call does not run (log runs it; trace and
    // user_notif hand it to a supervisor that may let it run).
    const bool holds = e.any_denial ? d.action.kind < ir::ActionKind::UserNotif : d.action == e.action;
    out.query = syscall_text(q, qa);
    out.decided = ir::action_text(d.action);
    if (holds) continue;
    out.passed = false;
    out.arch = qa.arch;
    if (d.reason == ir::SyscallDecision::Reason::Rules) {
      // Only the winners: less restrictive rules that also match did not decide.
      for (const ir::SyscallRule* r : d.matched)
        if (r->action == d.action) out.deciding.insert(out.deciding.end(), r->origins.begin(), r->origins.end());
      out.deciding_role = "this rule decides it";
    } else if (policy.syscalls.default_written) {
      out.deciding = {policy.syscalls.default_origin};
      out.deciding_role = "no rule matches the call, so the policy's default decides it";
    } else {
      out.deciding_role = "no rule matches the call and the policy has no `default`: kill_process";
    }
    return;
  }
  out.passed = true;
  if (!q.per_arch.empty()) out.query = syscall_text(q, q.per_arch.front());
}

}  // namespace

std::string fs_role(const ir::FsDecision& d, std::string_view right, unsigned abi) {
  const std::string r(right);
  switch (d.reason) {
    case ir::FsDecision::Reason::NoSection: return "the policy has no filesystem section, so nothing is restricted";
    case ir::FsDecision::Reason::Unhandled: return "Landlock ABI " + std::to_string(abi) + " cannot restrict " + r;
    case ir::FsDecision::Reason::Denied: return "this deny rule takes " + r + " on the path";
    case ir::FsDecision::Reason::Granted: return "this rule grants " + r + " on the path";
    case ir::FsDecision::Reason::NotGranted:
      return "no rule grants " + r + " on the path, and Landlock ABI " + std::to_string(abi) + " restricts it";
  }
  return "";
}

namespace {

void run_fs(const ir::Policy& policy, const ir::Expectation& e, ExpectationResult& out) {
  const ir::FsQuery& q = e.query.fs;
  const unsigned abi = policy.filesystem.min_abi;
  const bool want_allow = e.action.kind == ir::ActionKind::Allow && !e.any_denial;
  out.query = rights_text(q.rights, abi) + " \"" + q.path + "\"";
  uint64_t allowed = 0, denied = 0;
  std::optional<ir::FsDecision> first_wrong;
  uint64_t wrong_right = 0;
  for (uint64_t bit = 1; bit != 0 && bit <= q.rights; bit <<= 1) {
    if ((q.rights & bit) == 0) continue;
    ir::FsDecision d = ir::decide_fs(policy.filesystem, q.path, bit);
    (d.allowed ? allowed : denied) |= bit;
    if (d.allowed != want_allow && !first_wrong) {
      first_wrong = std::move(d);
      wrong_right = bit;
    }
  }
  // Rights that go different ways are each named, so no witness is needed beside the query.
  if (denied == 0) out.decided = "allow";
  else if (allowed == 0) out.decided = "deny";
  else out.decided = "allow " + rights_text(allowed, abi) + kMixedSeparator + rights_text(denied, abi);
  out.passed = !first_wrong;
  if (out.passed) return;
  out.deciding = first_wrong->deciding;
  out.deciding_role = fs_role(*first_wrong, ir::fs_right_name(wrong_right), abi);
}

}  // namespace

std::string net_role(const ir::NetDecision& d, const ir::Network& net) {
  switch (d.reason) {
    case ir::NetDecision::Reason::Denied: return "this deny rule matches, and deny rules always win";
    case ir::NetDecision::Reason::NoSection: return "the policy has no network section, so nothing is restricted";
    case ir::NetDecision::Reason::Allowed: return "this rule allows it";
    case ir::NetDecision::Reason::Proxy: return "the sandbox may reach the proxy, because rules name domains";
    case ir::NetDecision::Reason::NotAllowed: return net.present ? "no allow rule matches it" : "";
  }
  return "";
}

namespace {

void run_net(const ir::Policy& policy, const ir::Expectation& e, ExpectationResult& out) {
  const ir::NetQuery& q = e.query.net;
  const bool want_allow = e.action.kind == ir::ActionKind::Allow && !e.any_denial;
  out.query = net_query_text(q);
  const std::vector<ir::NetRequest> requests = ir::representative_requests(policy.network, q);
  out.passed = true;
  out.decided = want_allow ? "allow" : "deny";
  for (const ir::NetRequest& r : requests) {
    ir::NetDecision d = ir::decide_net(policy.network, r);
    if (d.allowed == want_allow) continue;
    out.passed = false;
    out.decided = d.allowed ? "allow" : "deny";
    if (requests.size() > 1) out.witness = ir::request_text(r);
    out.deciding = std::move(d.deciding);
    out.deciding_role = net_role(d, policy.network);
    return;
  }
}

}  // namespace

bool TestResult::passed() const {
  return std::all_of(expectations.begin(), expectations.end(), [](const ExpectationResult& e) { return e.passed; });
}

ExpectationResult run_expectation(const ir::Policy& policy, const ir::Expectation& e) {
  ExpectationResult r;
  r.expectation = &e;
  r.expected = expected_text(e);
  switch (e.query.kind) {
    case ir::QueryKind::Syscall: run_syscall(policy, e, r); break;
    case ir::QueryKind::Fs: run_fs(policy, e, r); break;
    case ir::QueryKind::Net: run_net(policy, e, r); break;
  }
  return r;
}

std::vector<TestResult> run_tests(const ir::Policy& policy) {
  std::vector<TestResult> out;
  for (const ir::Test& t : policy.tests) {
    TestResult tr;
    tr.test = &t;
    for (const ir::Expectation& e : t.expectations) tr.expectations.push_back(run_expectation(policy, e));
    out.push_back(std::move(tr));
  }
  return out;
}

std::string failure_text(const ExpectationResult& r) {
  std::string s = "expected " + r.expected + " for " + r.query;
  if (r.arch) s += " on " + std::string(arch::name(*r.arch));
  s += ", but the policy ";
  if (r.expectation && r.expectation->query.kind == ir::QueryKind::Syscall) return s + "decides " + r.decided;
  const std::string subject = r.witness.empty() ? "it" : r.witness;
  if (r.decided == "allow") return s + "allows " + subject;
  if (r.decided == "deny") return s + "denies " + subject;
  // Filesystem rights that go different ways: "allow read; deny write".
  const size_t cut = r.decided.find(kMixedSeparator);
  if (r.decided.starts_with("allow ") && cut != std::string::npos)
    return s + "allows " + r.decided.substr(6, cut - 6) + " but denies " +
           r.decided.substr(cut + std::string_view(kMixedSeparator).size());
  return s + "decides " + r.decided;
}

void report_test_failures(const std::vector<TestResult>& results, diag::Engine& engine) {
  for (const TestResult& t : results) {
    for (const ExpectationResult& r : t.expectations) {
      if (r.passed) continue;
      auto& d = engine.report(diag::Code::TestFailed, r.expectation->origin.range,
                              "test \"" + t.test->name + "\": " + failure_text(r));
      bool noted = false;
      for (const ir::Origin& o : r.deciding) {
        if (!o.range.valid()) continue;
        d.note(o.range, r.deciding_role);
        noted = true;
      }
      // Statements without a place in the source (the implicit metadata deny) are named instead.
      for (const ir::Origin& o : r.deciding)
        if (!o.range.valid() && !o.where.empty()) d.note(r.deciding_role + " (" + o.where + ")");
      if (!noted && r.deciding.empty() && !r.deciding_role.empty()) d.note(r.deciding_role);
      d.with_help(
          "change the policy so that it decides what the test expects, or the expectation if the policy "
          "is right");
    }
  }
}

}  // namespace polc::verify
