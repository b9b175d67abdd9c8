// Unit tests of the proofs of filesystem assertions.
#include "tests/unit/verify_fs_support.h"

using namespace verify_fs_support;

// ---- assertions ----

TEST_CASE("fs assertions: never and always that hold") {
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      read "/usr", "/etc/ssl/certs"
      read, write "/workspace"
      deny write "/workspace/.git"
    })");
  const ir::Policy& p = *c->policy;
  using R = verify::AssertionOutcome::Result;
  CHECK(prove(p, true, kWrite3, "/etc").result == R::Holds);
  CHECK(prove(p, true, kWrite3, "/usr").result == R::Holds);
  CHECK(prove(p, true, fr::kExecute, "/").result == R::Holds);
  CHECK(prove(p, true, fr::kWriteFile, "/workspace/.git").result == R::Holds);
  CHECK(prove(p, true, kRead, "/usrx").result == R::Holds);
  CHECK(prove(p, false, kRead, "/usr/lib/python3.11/os.py").result == R::Holds);
  CHECK(prove(p, false, kRead | kWrite3, "/workspace/src").result == R::Holds);
  CHECK(prove(p, false, fr::kReadFile, "/etc/ssl/certs").result == R::Holds);
  const auto o = prove(p, true, kWrite3, "/etc");
  CHECK(o.queries == 1);
  CHECK(o.counterexample.empty());
}

TEST_CASE("fs assertions: a never that fails names a granted path and the grant") {
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      read "/usr"
      read, write "/etc/app"
    })");
  const ir::Policy& p = *c->policy;
  const auto o = prove(p, true, kWrite3, "/etc");
  check_counterexample(p, o, true, kWrite3, "/etc");
  CHECK(o.counterexample == "write_file \"/etc/app\"");  // the first right of the query that breaks it
  REQUIRE(o.deciding.size() == 1);
  CHECK(line_of(*c, o.deciding[0].range) == "6");
  // A grant above the query's path: the query's path itself is a counterexample.
  const auto above = prove(p, true, fr::kReadDir, "/usr/share/doc");
  check_counterexample(p, above, true, fr::kReadDir, "/usr/share/doc");
  CHECK(above.counterexample == "read_dir \"/usr/share/doc\"");
}

TEST_CASE("fs assertions: an always that fails on a denied sub-path or an ungranted right") {
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      read, write "/workspace"
      deny write_file "/workspace/locked"
    })");
  const ir::Policy& p = *c->policy;
  const auto o = prove(p, false, kWrite3, "/workspace");
  check_counterexample(p, o, false, kWrite3, "/workspace");
  CHECK(o.counterexample == "write_file \"/workspace/locked\"");
  REQUIRE(o.deciding.size() == 1);
  CHECK(line_of(*c, o.deciding[0].range) == "6");
  const auto exec = prove(p, false, fr::kExecute | fr::kReadFile, "/workspace/bin/tool");
  check_counterexample(p, exec, false, fr::kExecute | fr::kReadFile, "/workspace/bin/tool");
  CHECK(exec.counterexample == "execute \"/workspace/bin/tool\"");
  CHECK(exec.deciding.empty());  // nothing grants it
}

TEST_CASE("fs assertions: without a filesystem section everything is allowed") {
  auto c = compiled("syscalls { allow read }");
  const ir::Policy& p = *c->policy;
  const auto o = prove(p, true, fr::kWriteFile, "/etc");
  check_counterexample(p, o, true, fr::kWriteFile, "/etc");
  CHECK(o.counterexample == "write_file \"/etc\"");
  CHECK(o.deciding.empty());
  CHECK(prove(p, false, kWrite3 | kRead | fr::kExecute, "/").result == verify::AssertionOutcome::Result::Holds);
}

TEST_CASE("fs assertions: the examples' assertions hold") {
  for (const char* name : {"ci_build", "minimal_static", "node_agent", "python_agent"}) {
    const std::string path = std::string(POLC_SOURCE_DIR) + "/examples/" + name + ".sbx";
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto c = test::compile(text.str());
    REQUIRE_MESSAGE(c->policy, name);
    size_t fs_assertions = 0;
    for (const ir::Assertion& a : c->policy->assertions) {
      if (a.query.kind != ir::QueryKind::Fs) continue;
      ++fs_assertions;
      const auto o = verify::prove_fs(*c->policy, a);
      INFO(name << ": " << a.query.fs.path << " " << o.counterexample);
      CHECK(o.result == verify::AssertionOutcome::Result::Holds);
    }
    CHECK(fs_assertions > 0);
  }
}
