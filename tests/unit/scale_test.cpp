// Large policies: no internal limit a legitimate policy can reach (the parser's operator count),
// and the documented size beyond which sema refuses at once (E0007, compiler/sema/size_limits.h).
// Behaviour only: how fast large policies are checked is measured by bench/scale.py.
#include <doctest/doctest.h>

#include "compiler/sema/size_limits.h"
#include "compiler/syntax/parse.h"
#include "tests/unit/test_support.h"

namespace polc {

using diag::Code;
using test::compile;
using test::policy_with;

namespace {

bool parses_cleanly(const std::string& text) {
  diag::SourceManager sm;
  diag::Engine engine(sm);
  const auto file = syntax::parse(engine, sm.add("t.sbx", text));
  return file.has_value() && engine.diagnostics().empty();
}

}  // namespace

TEST_CASE("statements do not add up to one expression's operators") {
  // 5,000 port ranges and 5,000 conditions, one per statement: each is an expression of its own.
  // Counted as one run per block, they failed with E0006 past 4,096 (a generated 100,000-line
  // policy did).
  std::string net = "policy p version 1 {\n  targets x86_64\n  network {\n";
  std::string sys = "policy p version 1 {\n  targets x86_64\n  syscalls {\n";
  std::string consts = "policy p version 1 {\n  targets x86_64\n";
  for (int i = 0; i < 5000; ++i) {
    net += "    connect tcp " + std::to_string(1000 + i) + "-" + std::to_string(2000 + i) + " to 10.0.0.0/8\n";
    sys += "    deny ioctl(request == " + std::to_string(i) + ") errno(EPERM)\n";
    consts += "  const C" + std::to_string(i) + " = 1 | 2\n";
  }
  CHECK(parses_cleanly(net + "  }\n}\n"));
  CHECK(parses_cleanly(sys + "  }\n}\n"));
  CHECK(parses_cleanly(consts + "}\n"));
}

TEST_CASE("a chain of operators cannot hide behind sets, braces or commas inside a call") {
  // `in {...}` sets used to restart the count, so a chain of any length reached the tree builder.
  std::string chain = "policy p version 1 { syscalls { allow x(a in {1}";
  for (int i = 0; i < 5000; ++i) chain += " && a in {1, 2}";
  chain += ") } }";
  diag::SourceManager sm;
  diag::Engine engine(sm);
  CHECK(!syntax::parse(engine, sm.add("t.sbx", chain)));
  REQUIRE(!engine.diagnostics().empty());
  CHECK(engine.diagnostics().at(0).code == Code::NestingTooDeep);
  // One expression over several lines is still one expression.
  std::string lines = "policy p version 1 { const K = 1";
  for (int i = 0; i < 5000; ++i) lines += "\n  | 1";
  lines += " }";
  diag::Engine engine2(sm);
  CHECK(!syntax::parse(engine2, sm.add("u.sbx", lines)));
  REQUIRE(!engine2.diagnostics().empty());
  CHECK(engine2.diagnostics().at(0).code == Code::NestingTooDeep);
}

TEST_CASE("a policy beyond the documented size is refused at once with E0007") {
  // Host sets multiply: 1,000 hosts in each of 201 rules pass the 200,000 network entries.
  std::string hosts = "hosts @many = {";
  for (int i = 0; i < 1000; ++i)
    hosts += (i ? ", " : "") + std::string("10.1.") + std::to_string(i / 256) + "." + std::to_string(i % 256);
  hosts += "}\n";
  std::string rules = "network {\n";
  for (int i = 0; i < 201; ++i) rules += "  connect tcp " + std::to_string(1000 + i) + " to @many\n";
  auto net = compile(policy_with(hosts + rules + "}"));
  CHECK(!net->policy);
  CHECK(net->count(Code::PolicyTooLarge) == 1);
  CHECK(net->engine.diagnostics().size() == 1);  // nothing after the refusal
  // Within the limit the same shape is fine.
  std::string fewer = "network {\n";
  for (int i = 0; i < 150; ++i) fewer += "  connect tcp " + std::to_string(1000 + i) + " to @many\n";
  CHECK(!compile(policy_with(hosts + fewer + "}"))->has(Code::PolicyTooLarge));

  // Groups multiply too: one rule per syscall and target.
  std::string sys =
      "group @io = {read, write, close, fstat, lseek, pread64, pwrite64, readv, writev, dup}\nsyscalls {\n";
  const size_t statements = sema::kMaxSyscallRules / (10 * 2) + 1;
  for (size_t i = 0; i < statements; ++i) sys += "  errno(" + std::to_string(1 + i % 100) + ") @io\n";
  auto s = compile(policy_with(sys + "}", "x86_64, aarch64"));
  CHECK(!s->policy);
  CHECK(s->count(Code::PolicyTooLarge) == 1);

  // Paths: one statement with one path more than the limit.
  std::string fs = "filesystem {\n  landlock abi >= 3\n  read ";
  fs.reserve(sema::kMaxFsPaths * 12);
  for (size_t i = 0; i <= sema::kMaxFsPaths; ++i) fs += (i ? ", \"/p" : "\"/p") + std::to_string(i) + "\"";
  auto f = compile(policy_with(fs + "\n}"));
  CHECK(!f->policy);
  CHECK(f->count(Code::PolicyTooLarge) == 1);
}

}  // namespace polc
