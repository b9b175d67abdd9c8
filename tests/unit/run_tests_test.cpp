// Unit tests of the concrete evaluation of `test` blocks (compiler/verify/run_tests.h): what
// passes and fails for each kind of query, what a failure names, and the E0505 diagnostics.
#include <doctest/doctest.h>

#include "compiler/verify/run_tests.h"
#include "tests/unit/test_support.h"

using namespace polc;

namespace {

struct Ran {
  std::unique_ptr<test::Compiled> compiled;
  std::vector<verify::TestResult> results;
  // The result of the expectation on `line` of the policy.
  const verify::ExpectationResult& at(unsigned line) const {
    for (const auto& t : results)
      for (const auto& e : t.expectations)
        if (e.expectation->origin.where == "/virtual/test.sbx:" + std::to_string(line)) return e;
    FAIL("no expectation on line " << line);
    return results.front().expectations.front();
  }
};

Ran run(const std::string& body, const std::string& targets = "x86_64") {
  Ran r;
  r.compiled = test::compile(test::policy_with(body, targets));
  if (!r.compiled->policy) FAIL("the policy did not compile: " << body);
  r.results = verify::run_tests(*r.compiled->policy);
  return r;
}

}  // namespace

TEST_CASE("syscall expectations hold on every target, `deny` meaning anything but allow") {
  const Ran r = run(R"(
  syscalls {
    default errno(EPERM)
    allow socket(domain == AF_INET)
    kill ptrace
    allow fork?
  }
  test "t" {
    expect allow socket(AF_INET, SOCK_STREAM, 0)
    expect deny socket(AF_UNIX, SOCK_STREAM, 0)
    expect errno(EPERM) socket(AF_UNIX, SOCK_STREAM, 0)
    expect deny ptrace
    expect kill ptrace
    expect errno(EPERM) ptrace
    expect allow socket(AF_UNIX, SOCK_STREAM, 0) on aarch64
  })",
                    "x86_64, aarch64");
  CHECK(r.at(11).passed);
  CHECK(r.at(12).passed);
  CHECK(r.at(13).passed);
  CHECK(r.at(14).passed);
  CHECK(r.at(15).passed);
  const auto& wrong = r.at(16);
  CHECK_FALSE(wrong.passed);
  CHECK(wrong.decided == "kill_process");
  CHECK(wrong.arch == arch::Arch::x86_64);  // the first target where it fails
  CHECK(wrong.query == "ptrace");
  REQUIRE(wrong.deciding.size() == 1);
  CHECK(wrong.deciding[0].where == "/virtual/test.sbx:7");
  CHECK(verify::failure_text(wrong) == "expected errno(1) for ptrace on x86_64, but the policy decides kill_process");
  const auto& on = r.at(17);
  CHECK_FALSE(on.passed);
  CHECK(on.arch == arch::Arch::aarch64);
  CHECK(on.query == "socket(0x1, 0x1, 0x0)");
  CHECK(on.deciding_role.find("default") != std::string::npos);
  CHECK(on.deciding.at(0).where == "/virtual/test.sbx:5");
}

TEST_CASE("a syscall decided by the implicit default names no statement") {
  const Ran r = run("syscalls {\n allow read\n}\ntest \"t\" {\n expect allow write\n}");
  const auto& e = r.at(7);
  CHECK_FALSE(e.passed);
  CHECK(e.decided == "kill_process");
  CHECK(e.deciding.empty());
  CHECK(e.deciding_role.find("no `default`") != std::string::npos);
}

TEST_CASE("filesystem expectations need every right to go the expected way") {
  const Ran r = run(R"(
  filesystem {
    landlock abi >= 3
    read "/usr"
    read, write "/workspace"
  }
  test "t" {
    expect allow read "/usr/lib/x"
    expect deny write "/usr/lib/x"
    expect allow read, write "/usr/lib/x"
    expect deny read, write "/usr/lib/x"
    expect allow read_file, write_file "/workspace/a"
  })");
  CHECK(r.at(10).passed);
  CHECK(r.at(11).passed);
  CHECK(r.at(14).passed);
  CHECK(r.at(14).query == "write_file, read_file \"/workspace/a\"");
  for (unsigned line : {12u, 13u}) {
    const auto& mixed = r.at(line);
    CHECK_FALSE(mixed.passed);
    CHECK(mixed.query == "read, write \"/usr/lib/x\"");
    CHECK(mixed.decided == "allow read; deny write");
  }
  CHECK(verify::failure_text(r.at(12)) ==
        "expected allow for read, write \"/usr/lib/x\", but the policy allows read but denies write");
  // The statement that decides the first right that went the wrong way.
  CHECK(r.at(12).deciding.at(0).where == "/virtual/test.sbx:5");  // landlock abi: nothing grants write
  CHECK(r.at(13).deciding.at(0).where == "/virtual/test.sbx:6");  // read "/usr" grants read
}

TEST_CASE("network expectations cover every port and destination the query names") {
  const Ran r = run(R"(
  network {
    connect tcp 8000-8080 to 10.0.0.0/8
    deny connect tcp 8022 to 10.0.0.0/8
    bind tcp 3000
  }
  test "t" {
    expect allow connect tcp 8000-8021 to 10.1.2.3
    expect allow connect tcp 8000-8080 to 10.1.2.3
    expect deny connect tcp to 10.1.2.3
    expect deny connect tcp 8081-65535 to 10.1.2.3
    expect allow connect tcp 8000 to 10.0.0.0/8
    expect deny connect tcp 8000
    expect deny bind tcp 1-2999
    expect allow bind tcp 3000
  })");
  CHECK(r.at(10).passed);
  const auto& range = r.at(11);
  CHECK_FALSE(range.passed);
  CHECK(range.witness == "connect tcp 8022 to 10.1.2.3");
  CHECK(range.deciding.at(0).where == "/virtual/test.sbx:6");
  CHECK(verify::failure_text(range) ==
        "expected allow for connect tcp 8000-8080 to 10.1.2.3, but the policy denies connect tcp 8022 to 10.1.2.3");
  CHECK_FALSE(r.at(12).passed);
  CHECK(r.at(12).witness == "connect tcp 8000 to 10.1.2.3");
  CHECK(r.at(13).passed);
  CHECK(r.at(14).passed);
  CHECK_FALSE(r.at(15).passed);
  CHECK(r.at(15).witness.ends_with("to 10.0.0.1"));
  CHECK(r.at(16).passed);
  CHECK(r.at(17).passed);
}

TEST_CASE("failed expectations are E0505 at the expectation with a note at the deciding rule") {
  const Ran r = run(R"(
  syscalls {
    default errno(EPERM)
    allow read
  }
  test "t" {
    expect deny read
    expect allow read
    expect allow connect tcp 80 to 1.1.1.1
    expect allow connect tcp 80 to 169.254.169.254
  })");
  diag::Engine& engine = r.compiled->engine;
  verify::report_test_failures(r.results, engine);
  std::vector<const diag::Diagnostic*> failed;
  for (const auto& d : engine.diagnostics())
    if (d.code == diag::Code::TestFailed) failed.push_back(&d);
  REQUIRE(failed.size() == 2);
  const diag::Diagnostic& first = *failed[0];
  CHECK(first.message == "test \"t\": expected deny for read on x86_64, but the policy decides allow");
  CHECK(engine.sources().line_col(first.range.file, first.range.begin).line == 9);
  REQUIRE(first.notes.size() == 1);
  CHECK(engine.sources().line_col(first.notes[0].range.file, first.notes[0].range.begin).line == 6);
  CHECK_FALSE(first.help.empty());
  // The implicit metadata deny has no place in the source: the note names it.
  const diag::Diagnostic& meta = *failed[1];
  REQUIRE(meta.notes.size() == 1);
  CHECK_FALSE(meta.notes[0].range.valid());
  CHECK(meta.notes[0].message.find("implicit: cloud metadata endpoints") != std::string::npos);
}
