// Unit tests of the filesystem verifier's path-class model against the concrete semantics.
#include "tests/unit/verify_fs_support.h"

using namespace verify_fs_support;

// ---- the model ----

TEST_CASE("fs model: the path tree is numbered in depth-first preorder, by whole segments") {
  const verify::PathTree t({"/a-b", "/a/b", "/ab", "/a", "/a/b/c", "/a.b", "/b", "/a/b"});
  std::vector<std::string> order;
  for (size_t i = 0; i < t.size(); ++i) order.push_back(t.path(i));
  CHECK(order == std::vector<std::string>{"/", "/a", "/a/b", "/a/b/c", "/a-b", "/a.b", "/ab", "/b"});
  CHECK(t.end(0) == 8);
  CHECK(t.end(1) == 4);  // "/a" holds "/a/b" and "/a/b/c", not "/a-b"
  CHECK(t.end(2) == 4);
  CHECK(t.end(4) == 5);
  CHECK(*t.parent(3) == 2);
  CHECK(*t.parent(4) == 0);
  CHECK(!t.parent(0));
  CHECK(t.find("/a.b") == std::optional<size_t>(5));
  CHECK(!t.find("/c"));
}

TEST_CASE("fs model: the path Booleans admit exactly one assignment per class, the chain from \"/\"") {
  const verify::PathTree t({"/a", "/a/b", "/a/c", "/b", "/a/b/d", "/a-b"});
  CHECK(t.children(0) == std::vector<size_t>{1, 5, 6});
  CHECK(t.children(1) == std::vector<size_t>{2, 4});
  z3::context ctx;
  verify::Query q(ctx);
  const verify::FsVars v = verify::make_fs_vars(ctx, t);
  z3::expr_vector blocked(ctx);
  std::set<size_t> classes;
  while (q.check(verify::well_formed(v, t) && z3::mk_and(blocked) && v.right == 1) == verify::Answer::Sat) {
    const size_t n = verify::class_of(q, v);
    INFO(t.path(n));
    for (size_t i = 0; i < t.size(); ++i) {
      // Beneath exactly the class's node and its ancestors.
      const bool expected = ref_beneath(t.path(n), t.path(i));
      CHECK((q.value(v.under[static_cast<int>(i)]) != 0) == expected);
    }
    CHECK(classes.insert(n).second);
    blocked.push_back(!verify::in_class(v, t, n));
    REQUIRE(classes.size() <= t.size());
  }
  CHECK(classes.size() == t.size());
}

TEST_CASE("fs model: allowed() agrees with the concrete semantics on every class of a tricky section") {
  auto c = compiled(R"(filesystem {
      landlock abi >= 3
      read "/", "/usr"
      read, execute "/usr/bin"
      read, write "/work", "/work-2"
      deny write "/work/.git"
      deny execute "/usr/bin/su"
      write_file "/dev/null"
    })");
  const ir::Filesystem& fs = c->policy->filesystem;
  z3::context ctx;
  verify::Query q(ctx);
  for (const std::string& p : probe_paths({&fs})) {
    std::vector<std::string> paths{p};
    for (const ir::FsRule& r : fs.rules) paths.push_back(r.path);
    const verify::PathTree tree(paths);
    const verify::FsVars v = verify::make_fs_vars(ctx, tree);
    const z3::expr at = verify::well_formed(v, tree) && verify::in_class(v, tree, *tree.find(p));
    const z3::expr ok = verify::allowed(fs, tree, v);
    for (unsigned i = 0; i < 16; ++i) {
      const uint64_t right = uint64_t{1} << i;
      INFO(p << " " << ir::fs_right_name(right));
      const bool expected = ref_allowed(fs, p, right);
      CHECK(q.check(at && v.right == ctx.bv_val(right, 16) && (expected ? !ok : ok)) == verify::Answer::Unsat);
    }
  }
}

// ---- cross-check with the concrete evaluator on the examples ----

TEST_CASE("fs model: Z3's allowed() matches ir::decide_fs on random requests for every example") {
  std::mt19937 rng(7);
  const std::vector<std::string> extra = {"x", "lib", "bin", ".git", "a-b", "python3.11", "os.py", "ssl"};
  for (const auto& entry : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".sbx") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto c = test::compile(text.str());
    REQUIRE_MESSAGE(c->policy, entry.path().string());
    const ir::Filesystem& fs = c->policy->filesystem;
    std::vector<std::string> seeds = probe_paths({&fs});
    z3::context ctx;
    verify::Query q(ctx);
    for (int i = 0; i < 200; ++i) {
      std::string p = seeds[rng() % seeds.size()];
      for (unsigned k = rng() % 3; k > 0; --k) p = (p == "/" ? "" : p) + "/" + extra[rng() % extra.size()];
      const uint64_t right = uint64_t{1} << (rng() % 16);
      std::vector<std::string> tree_paths{p};
      for (const ir::FsRule& r : fs.rules) tree_paths.push_back(r.path);
      const verify::PathTree tree(tree_paths);
      const verify::FsVars v = verify::make_fs_vars(ctx, tree);
      const z3::expr ok = verify::allowed(fs, tree, v);
      const z3::expr at =
          verify::well_formed(v, tree) && verify::in_class(v, tree, *tree.find(p)) && v.right == ctx.bv_val(right, 16);
      const bool expected = ir::decide_fs(fs, p, right).allowed;
      INFO(entry.path().filename().string() << ": " << ir::fs_right_name(right) << " \"" << p << "\"");
      CHECK(expected == ref_allowed(fs, p, right));
      CHECK(q.check(at && (expected ? !ok : ok)) == verify::Answer::Unsat);
    }
  }
}
