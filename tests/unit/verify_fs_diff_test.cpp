// Unit tests of `polc diff`'s filesystem regions.
#include "tests/unit/verify_fs_support.h"

using namespace verify_fs_support;

// ---- diffs ----

TEST_CASE("fs diff: identical policies, and two policies without a section, differ nowhere") {
  const std::string body = R"(filesystem {
      landlock abi >= 3
      read "/usr"
      read, write "/workspace"
      deny write "/workspace/.git"
    })";
  auto a = compiled(body), b = compiled(body);
  CHECK(verify::diff_filesystem(*a->policy, *b->policy).empty());
  auto x = compiled("syscalls { allow read }"), y = compiled("syscalls { allow write }");
  CHECK(verify::diff_filesystem(*x->policy, *y->policy).empty());
}

TEST_CASE("fs diff: a new writable directory is one widened region with the rules that decide it") {
  auto old_p = compiled(R"(filesystem {
      landlock abi >= 3
      read "/srv"
    })");
  auto new_p = compiled(R"(filesystem {
      landlock abi >= 3
      read "/srv"
      write_file, make_reg "/srv/data"
    })");
  const auto diff = verify::diff_filesystem(*old_p->policy, *new_p->policy);
  REQUIRE(diff.size() == 1);
  CHECK(diff[0].widened);
  CHECK(diff[0].region == "write_file, make_reg beneath \"/srv/data\"");
  CHECK(diff[0].witness == "write_file \"/srv/data\"");
  CHECK(diff[0].old_decision == "denied");
  CHECK(diff[0].new_decision == "allowed");
  REQUIRE(diff[0].new_rules.size() == 1);
  CHECK(line_of(*new_p, diff[0].new_rules[0].range) == "6");
  CHECK(diff[0].old_rules.empty());
  check_diff_exact(*old_p->policy, *new_p->policy, diff);

  // And the reverse is the same region, narrowed.
  const auto back = verify::diff_filesystem(*new_p->policy, *old_p->policy);
  REQUIRE(back.size() == 1);
  CHECK(!back[0].widened);
  CHECK(back[0].region == diff[0].region);
  CHECK(back[0].old_rules.size() == 1);
  check_diff_exact(*new_p->policy, *old_p->policy, back);
}

TEST_CASE("fs diff: rights split into a widened and a narrowed entry on one path") {
  auto old_p = compiled(R"(filesystem {
      landlock abi >= 3
      read "/a"
    })");
  auto new_p = compiled(R"(filesystem {
      landlock abi >= 3
      read_file, execute "/a"
    })");
  const auto diff = verify::diff_filesystem(*old_p->policy, *new_p->policy);
  REQUIRE(diff.size() == 2);
  CHECK(diff[0].widened);
  CHECK(diff[0].region == "execute beneath \"/a\"");
  CHECK(!diff[1].widened);
  CHECK(diff[1].region == "read_dir beneath \"/a\"");
  CHECK(diff[1].witness == "read_dir \"/a\"");
  check_diff_exact(*old_p->policy, *new_p->policy, diff);
}

TEST_CASE("fs diff: a region with an exception beneath it, and a region beneath the exception") {
  auto old_p = compiled(R"(filesystem {
      landlock abi >= 3
      write_file "/srv/ro"
      deny write_file "/srv/ro/x"
    })");
  auto new_p = compiled(R"(filesystem {
      landlock abi >= 3
      write_file "/srv"
    })");
  const auto diff = verify::diff_filesystem(*old_p->policy, *new_p->policy);
  REQUIRE(diff.size() == 2);
  CHECK(diff[0].region == "write_file beneath \"/srv\", except beneath \"/srv/ro\"");
  CHECK(diff[0].witness == "write_file \"/srv\"");
  CHECK(diff[1].region == "write_file beneath \"/srv/ro/x\"");
  CHECK(diff[1].witness == "write_file \"/srv/ro/x\"");
  REQUIRE(diff[1].old_rules.size() == 1);
  CHECK(line_of(*old_p, diff[1].old_rules[0].range) == "6");
  check_diff_exact(*old_p->policy, *new_p->policy, diff);
}

TEST_CASE("fs diff: a grant beneath a deny stays denied") {
  auto old_p = compiled(R"(filesystem {
      landlock abi >= 3
      read "/usr"
      write_file "/srv/ro/tmp"
    })");
  auto new_p = compiled(R"(filesystem {
      landlock abi >= 3
      read "/usr"
      write_file "/srv"
      deny write_file "/srv/ro"
      write_file "/srv/ro/tmp"
    })");
  const auto diff = verify::diff_filesystem(*old_p->policy, *new_p->policy);
  REQUIRE(diff.size() == 2);
  CHECK(diff[0].widened);
  CHECK(diff[0].region == "write_file beneath \"/srv\", except beneath \"/srv/ro\"");
  CHECK(!diff[1].widened);
  CHECK(diff[1].region == "write_file beneath \"/srv/ro/tmp\"");
  check_diff_exact(*old_p->policy, *new_p->policy, diff);
}

TEST_CASE("fs diff: adding a filesystem section narrows everything it does not grant") {
  auto old_p = compiled("syscalls { allow read }");
  auto new_p = compiled(R"(filesystem {
      landlock abi >= 1
      read "/usr"
    })");
  const auto diff = verify::diff_filesystem(*old_p->policy, *new_p->policy);
  REQUIRE(diff.size() == 2);
  CHECK(!diff[0].widened);
  CHECK(diff[0].region == "read_file, read_dir beneath \"/\", except beneath \"/usr\"");
  CHECK(diff[0].witness == "read_file \"/\"");
  CHECK(diff[1].region ==
        "execute, write_file, remove_dir, remove_file, make_char, make_dir, make_reg, make_sock, make_fifo, "
        "make_block, make_sym beneath \"/\"");
  check_diff_exact(*old_p->policy, *new_p->policy, diff);
}

TEST_CASE("fs diff: raising the ABI restricts truncate wherever it is not granted") {
  auto old_p = compiled(R"(filesystem {
      landlock abi >= 2
      read, write "/w"
    })");
  auto new_p = compiled(R"(filesystem {
      landlock abi >= 3
      read, write "/w"
    })");
  const auto diff = verify::diff_filesystem(*old_p->policy, *new_p->policy);
  REQUIRE(diff.size() == 1);
  CHECK(!diff[0].widened);
  CHECK(diff[0].region == "truncate beneath \"/\", except beneath \"/w\"");
  check_diff_exact(*old_p->policy, *new_p->policy, diff);
}

TEST_CASE("fs diff: random pairs of sections differ exactly where the regions say") {
  std::mt19937 rng(20240611);
  const std::vector<std::string> paths = {"/", "/a", "/a/b", "/a/b/c", "/a-b", "/a/bc", "/b", "/b/a", "/ab"};
  const std::vector<std::string> rights = {"read", "write_file", "execute", "read_file", "make_reg", "truncate"};
  auto random_body = [&](int n) {
    std::string body = "filesystem {\n landlock abi >= 3\n";
    for (int i = 0; i < n; ++i) {
      body += rng() % 5 == 0 ? " deny " : " ";
      body += rights[rng() % rights.size()] + ", " + rights[rng() % rights.size()] + " \"" +
              paths[rng() % paths.size()] + "\"\n";
    }
    return body + "}";
  };
  for (int round = 0; round < 40; ++round) {
    auto old_p = compiled(random_body(1 + static_cast<int>(rng() % 6)));
    auto new_p = compiled(random_body(1 + static_cast<int>(rng() % 6)));
    check_diff_exact(*old_p->policy, *new_p->policy, verify::diff_filesystem(*old_p->policy, *new_p->policy));
  }
}

TEST_CASE("fs diff: bigger random trees, asked about in chunks, differ exactly where the regions say") {
  std::mt19937 rng(99);
  const std::vector<std::string> parts = {"a", "b", "c", "a-b", "ab"};
  const std::vector<std::string> rights = {"read", "write_file", "execute", "read_file", "truncate"};
  auto random_body = [&](int n) {
    std::string body = "filesystem {\n landlock abi >= 3\n";
    for (int i = 0; i < n; ++i) {
      std::string path;
      for (unsigned depth = 1 + rng() % 4; depth > 0; --depth) path += "/" + parts[rng() % parts.size()];
      body += rng() % 6 == 0 ? " deny " : " ";
      body += rights[rng() % rights.size()] + " \"" + path + "\"\n";
    }
    return body + "}";
  };
  for (int round = 0; round < 6; ++round) {
    auto old_p = compiled(random_body(120));
    auto new_p = compiled(random_body(120));
    const auto diff = verify::diff_filesystem(*old_p->policy, *new_p->policy);
    CHECK(!diff.empty());
    check_diff_exact(*old_p->policy, *new_p->policy, diff);
    CHECK(verify::diff_filesystem(*new_p->policy, *new_p->policy).empty());
  }
}
