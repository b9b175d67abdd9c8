// Real-kernel enforcement of the examples' seccomp filters: for each example, `polc build` into a
// temporary directory, then every probe of the expectation table runs in a forked child under the
// example's seccomp.x86_64.bpf, and the kernel's answer (return value, errno or SIGSYS) must be the
// one the policy prescribes. Each expectation is also checked against `polc ir` (ir_oracle.h) and,
// where it can express the call, `polc eval` (its decision and its interpreter's run of the same
// program), and each probe is run once without a filter to make sure the kernel's own answer
// differs from the filter's.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/kernel/expectations.h"
#include "tests/kernel/harness.h"
#include "tests/kernel/ir_oracle.h"
#include "tests/kernel/polc_artifacts.h"

namespace fs = std::filesystem;
using namespace kernel_test;

namespace {

// Built once per example and process.
const Artifacts& artifacts(const std::string& example) {
  static std::map<std::string, Artifacts> cache;
  auto it = cache.find(example);
  if (it == cache.end()) it = cache.emplace(example, build_example(POLC_BINARY, POLC_SOURCE_DIR, example)).first;
  return it->second;
}

// The kernel's own answer to each probe (no filter), measured once.
const Outcome& baseline(const Probe& probe) {
  static std::map<const Probe*, Outcome> cache;
  auto it = cache.find(&probe);
  if (it == cache.end()) it = cache.emplace(&probe, run_probe(probe, nullptr)).first;
  return it->second;
}

Expected from_ir(const Decision& d) {
  if (d.kind == "allow") return ALLOW;
  if (d.kind == "errno") return ERRNO(d.data);
  if (d.kind == "kill_process" || d.kind == "kill_thread") return KILL;
  return Expected{Expected::Kind::allow, -1};  // trap, log, ...: never equal to a table entry
}

// `polc eval` writes actions as "allow", "errno(1)", "kill_process", ...
std::string eval_spelling(const Expected& e) {
  switch (e.kind) {
    case Expected::Kind::allow: return "allow";
    case Expected::Kind::errno_: return "errno(" + std::to_string(e.err) + ")";
    case Expected::Kind::kill: return "kill_process";
  }
  return "?";
}

// polc eval's verdict for every probe of `rows` it can express, by probe.
std::map<const Probe*, EvalResult> evaluate(const std::string& example, const std::vector<const Row*>& rows) {
  std::vector<const Probe*> probes;
  std::vector<std::string> calls;
  for (const Row* row : rows)
    if (const std::string call = eval_call(*row->probe); !call.empty()) {
      probes.push_back(row->probe);
      calls.push_back(call);
    }
  const auto results = eval_calls(POLC_BINARY, POLC_SOURCE_DIR, example, calls);
  std::map<const Probe*, EvalResult> by_probe;
  for (size_t i = 0; i < probes.size(); ++i) by_probe[probes[i]] = results[i];
  return by_probe;
}

bool same(const Expected& a, const Expected& b) {
  return a.kind == b.kind && (a.kind != Expected::Kind::errno_ || a.err == b.err);
}

enum class Scope { native, i386 };  // i386 rows run in their own test case (and CTest test)

void check_example(const std::string& example, Scope scope) {
  size_t column = 0;
  while (kExamples[column] != example) ++column;
  const Artifacts& a = artifacts(example);
  INFO("example ", example, ", filter ", a.filter_source);
  REQUIRE_MESSAGE(a.error.empty(), a.error);
  const std::set<int> errnos = filter_errnos(a.ir);

  std::vector<const Row*> rows;
  for (const Row& row : table())
    if ((row.probe->abi == Abi::i386) == (scope == Scope::i386)) rows.push_back(&row);
  const auto evals = evaluate(example, rows);

  for (const Row* rowp : rows) {
    const Row& row = *rowp;
    const Probe& probe = *row.probe;
    const Expected& expected = row.expected[column];
    const std::string what = "[" + example + "] " + std::string(probe.call) + ": ";

    // The table must say what the policy's IR says.
    const Decision d = decide(a.ir, probe);
    const std::string ir_says = d.kind + (d.kind == "errno" ? "(" + std::to_string(d.data) + ")" : "") + " by " + d.by +
                                (d.error.empty() ? "" : "; " + d.error);
    CHECK_MESSAGE((d.error.empty() && same(from_ir(d), expected)),
                  (what + "the table expects " + describe(expected) + " (" + std::string(row.why) +
                   "), but `polc ir` decides " + ir_says));

    // So must polc eval, and its run of the compiled program.
    if (const auto e = evals.find(&probe); e != evals.end()) {
      const EvalResult& r = e->second;
      CHECK_MESSAGE((r.error.empty() && r.action == eval_spelling(expected) && r.filter_action == r.action && r.agrees),
                    (what + "the table expects " + eval_spelling(expected) + ", but `polc eval '" + eval_call(probe) +
                     "'` says " + r.action + ", its filter run says " + r.filter_action +
                     (r.agrees ? "" : " (not agreeing)") + (r.error.empty() ? "" : "; " + r.error)));
    }

    // The kernel must do what the table says.
    const Outcome filtered = run_probe(probe, &a.filter);
    const Verdict v = judge(expected, filtered, baseline(probe), errnos);
    if (v.kind == Verdict::Kind::untestable) {
      ++tally.untestable;
      MESSAGE((what + "NOT TESTED: " + v.detail));
      continue;
    }
    ++(v.kind == Verdict::Kind::pass ? tally.passed : tally.failed);
    CHECK_MESSAGE(v.kind == Verdict::Kind::pass,
                  (what + v.detail + " [policy: " + std::string(row.why) + "; polc ir: " + ir_says + "]"));
  }
}

}  // namespace

TEST_CASE("the table has a column for every example policy") {
  std::set<std::string> on_disk, in_table(kExamples.begin(), kExamples.end());
  for (const auto& e : fs::directory_iterator(fs::path(POLC_SOURCE_DIR) / "examples"))
    if (e.path().extension() == ".sbx") on_disk.insert(e.path().stem().string());
  CHECK(on_disk == in_table);
}

TEST_CASE("python_agent: the kernel enforces its x86_64 filter") { check_example("python_agent", Scope::native); }
TEST_CASE("node_agent: the kernel enforces its x86_64 filter") { check_example("node_agent", Scope::native); }
TEST_CASE("ci_build: the kernel enforces its x86_64 filter") { check_example("ci_build", Scope::native); }
TEST_CASE("minimal_static: the kernel enforces its x86_64 filter") { check_example("minimal_static", Scope::native); }
TEST_CASE("os_layer: the kernel enforces its x86_64 filter") { check_example("os_layer", Scope::native); }

// int $0x80 needs IA32 emulation in the kernel; where it is missing the kernel raises SIGSEGV
// before seccomp runs, and these checks report NOT TESTED (CTest: skipped).
TEST_CASE("i386 system calls (int 0x80) are killed by every example") {
  for (const auto& example : kExamples) check_example(std::string(example), Scope::i386);
}
