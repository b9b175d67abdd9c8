// Unit tests of dead filesystem grants (W0009), on hand-written policies, the examples, and at scale.
#include "tests/unit/verify_fs_support.h"

using namespace verify_fs_support;

// ---- dead grants ----

TEST_CASE("W0009: a grant an ancestor's grant covers, named in the note") {
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      read "/usr"
      read "/usr/lib"
      read, execute "/usr/bin"
    })");
  const auto dead = dead_rules(*c);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].line == "6");
  CHECK(dead[0].message ==
        "the grant of read_file, read_dir beneath \"/usr/lib\" never decides anything: other rules decide each of "
        "these rights there");
  CHECK(dead[0].notes == std::vector<std::string>{"5: granted beneath \"/usr\" here: read_file, read_dir"});
  CHECK(dead[0].help == "remove \"/usr/lib\" from this rule; the rules in the notes decide the same requests");
}

TEST_CASE("W0009: rules beneath a grant, beside it, or covering only some of its rights do not make it dead") {
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      read "/a"
      write "/a/b"
      read_file "/b"
      read "/b/c"
      read "/c"
      read "/cd/e"
    })");
  CHECK(dead_rules(*c).empty());
}

TEST_CASE("W0009: a grant the union of several rules covers, each named") {
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      read_file "/a"
      read_dir "/a/b"
      read "/a/b/c"
    })");
  const auto dead = dead_rules(*c);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].line == "7");
  CHECK(dead[0].notes == std::vector<std::string>{"6: granted beneath \"/a/b\" here: read_dir",
                                                  "5: granted beneath \"/a\" here: read_file"});
}

TEST_CASE("W0009: the policy restating a module's grant, merged into one rule") {
  auto c = compiled(R"(import std.runtime.glibc
  filesystem {
      landlock abi >= 3
      read "/usr/lib"
      read "/etc/ssl/certs"
    })");
  // One IR rule with two origins: the policy's and the module's.
  const auto& rules = c->policy->filesystem.rules;
  const auto it = std::find_if(rules.begin(), rules.end(), [](const ir::FsRule& r) { return r.path == "/usr/lib"; });
  REQUIRE(it != rules.end());
  CHECK(it->origins.size() == 2);
  const auto dead = dead_rules(*c);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].line == "6");
  REQUIRE(dead[0].notes.size() == 1);
  CHECK(dead[0].notes[0].find("granted beneath \"/usr/lib\" here (std.runtime.glibc): read_file, read_dir") !=
        std::string::npos);
  CHECK(dead[0].notes[0].find("glibc.sbx") != std::string::npos);
}

TEST_CASE("W0009: a module's grant made redundant by the policy is not the policy's to fix") {
  auto c = compiled(R"(import std.runtime.glibc, std.lang.python
  filesystem {
      landlock abi >= 3
      read "/usr", "/etc"
    })");
  // std.runtime.glibc's "/usr/lib" and "/etc/ld.so.cache" and std.lang.python's "/usr/lib/python3"
  // are covered, but they are the modules'.
  CHECK(dead_rules(*c).empty());
}

TEST_CASE("W0009: a grant whose rights deny rules take away") {
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      deny read "/secret"
      read "/secret/a"
      read, write "/secret/b"
      deny write_file "/x"
      write_file, read_file "/x/y"
    })");
  const auto dead = dead_rules(*c);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].line == "6");
  CHECK(dead[0].notes == std::vector<std::string>{"5: denied beneath \"/secret\" here: read_file, read_dir"});
  CHECK(dead[0].help ==
        "deny rules always win: narrow the ones in the notes if \"/secret/a\" should be granted, or remove it from "
        "this rule");
}

TEST_CASE("W0009: repeated statements, and same-path rules covering each other, leave one standing") {
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      read "/a"
      read "/a"
      read_file, read_dir "/b"
      read_file "/b"
      read_dir "/b"
    })");
  const auto dead = dead_rules(*c);
  // The later "/a" statement (the earlier one decides); "/b": the narrower rules, not the one that
  // covers them both (reporting all three would suggest removing every grant of "/b").
  REQUIRE(dead.size() == 3);
  std::vector<std::string> lines;
  for (const Dead& d : dead) lines.push_back(d.line);
  std::sort(lines.begin(), lines.end());
  CHECK(lines == std::vector<std::string>{"6", "8", "9"});
  for (const Dead& d : dead)
    if (d.line == "6")
      CHECK(d.notes == std::vector<std::string>{"5: granted beneath \"/a\" here: read_file, read_dir"});
}

TEST_CASE("W0009: a right the ABI does not handle is allowed everywhere, so granting it decides nothing") {
  // sema never produces this (such a right is E0304); the IR is built by hand.
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      read "/a"
      truncate "/b"
    })");
  ir::Policy p = *c->policy;
  p.filesystem.handled &= ~fr::kTruncate;
  const verify::Work work = verify::check_filesystem(p, c->engine);
  CHECK(work.queries == 2);
  CHECK(work.unknown == 0);
  REQUIRE(c->count(diag::Code::DeadRule) == 1);
  const diag::Diagnostic& d = c->engine.diagnostics().back();
  CHECK(d.code == diag::Code::DeadRule);
  CHECK(line_of(*c, d.range) == "6");
  CHECK(d.message.find("truncate beneath \"/b\"") != std::string::npos);
  REQUIRE(d.notes.size() == 1);
  CHECK(line_of(*c, d.notes[0].range) == "4");
  CHECK(d.notes[0].message ==
        "truncate: not restricted at Landlock ABI 3, so allowed everywhere whatever the rules say");
}

TEST_CASE("W0009: no filesystem section, no questions") {
  auto c = compiled("syscalls { allow read }");
  CHECK(verify::check_filesystem(*c->policy, c->engine).queries == 0);
}

// ---- the examples, and size ----

TEST_CASE("W0009 on the examples: none (they no longer restate their modules' grants)") {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".sbx") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto c = test::compile(text.str());
    REQUIRE(c->policy);
    for (const Dead& d : dead_rules(*c))
      FAIL_CHECK(entry.path().filename().string() << ":" << d.line << ": " << d.message);
  }
}

TEST_CASE("fs checks scale to a policy with a thousand rules") {
  std::string body = "filesystem {\n landlock abi >= 3\n";
  for (int d = 0; d < 40; ++d) {
    body += " read \"/data" + std::to_string(d) + "\"\n";
    for (int s = 0; s < 24; ++s) {
      const std::string dir = "/data" + std::to_string(d) + "/s" + std::to_string(s);
      // Every fourth directory restates a right its parent grants (dead); the rest add write.
      body += s % 4 == 0 ? " read_file \"" + dir + "\"\n" : " read, write \"" + dir + "\"\n";
      if (s % 3 == 0) body += " execute \"" + dir + "/bin\"\n";
    }
  }
  body += "}";
  auto c = compiled(body);
  const size_t rules = c->policy->filesystem.rules.size();
  CHECK(rules >= 1000);
  auto t0 = std::chrono::steady_clock::now();
  const verify::Work work = verify::check_filesystem(*c->policy, c->engine);
  const double check_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(work.queries == rules);
  CHECK(work.unknown == 0);
  CHECK(c->count(diag::Code::DeadRule) == 40 * 6);

  t0 = std::chrono::steady_clock::now();
  const auto never = prove(*c->policy, true, fr::kExecute, "/data7/s3");
  const auto always = prove(*c->policy, false, kRead, "/data39");
  const double prove_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(never.result == verify::AssertionOutcome::Result::Fails);
  CHECK(always.result == verify::AssertionOutcome::Result::Holds);

  // A change touching one directory in ten.
  std::string changed = body;
  for (int d = 0; d < 40; d += 10) {
    const std::string from = " read, write \"/data" + std::to_string(d) + "/s1\"";
    changed.replace(changed.find(from), from.size(), " read \"/data" + std::to_string(d) + "/s1\"");
  }
  changed.insert(changed.size() - 1, " write_file \"/data5\"\n");
  auto c2 = compiled(changed);
  t0 = std::chrono::steady_clock::now();
  const auto diff = verify::diff_filesystem(*c->policy, *c2->policy);
  const double diff_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(diff.size() == 5);

  // The worst case: against a policy without a section every class differs.
  auto none = compiled("syscalls { allow read }");
  t0 = std::chrono::steady_clock::now();
  const auto all = verify::diff_filesystem(*none->policy, *c->policy);
  const double all_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(!all.empty());
  MESSAGE(rules << " fs rules: check_filesystem " << check_s << " s (" << work.queries << " queries), two assertions "
                << prove_s << " s, diff " << diff_s << " s, diff against no section " << all_s << " s (" << all.size()
                << " regions)");
  CHECK(check_s < 60);
  CHECK(diff_s < 60);
}
