// Unit tests of the verifier's filesystem dimension (compiler/verify/fs_*): the path-class model
// against the concrete semantics (written out here, and compiler/ir/evaluate_access.h), dead
// grants (W0009), filesystem assertions and `polc diff` regions.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "compiler/ir/evaluate_access.h"
#include "compiler/verify/fs_checks.h"
#include "compiler/verify/fs_diff.h"
#include "compiler/verify/fs_model.h"
#include "compiler/verify/solver.h"
#include "tests/unit/test_support.h"

using namespace polc;
namespace fr = ir::fs_right;

namespace {

// ---- the concrete semantics, as the brief states it ----

bool ref_beneath(const std::string& p, const std::string& d) {
  return d == "/" || p == d || (p.size() > d.size() && p.compare(0, d.size(), d) == 0 && p[d.size()] == '/');
}

bool ref_allowed(const ir::Filesystem& fs, const std::string& p, uint64_t right) {
  if (!fs.present || (fs.handled & right) == 0) return true;
  for (const ir::FsRule& r : fs.rules)
    if (r.deny && (r.rights & right) && ref_beneath(p, r.path)) return false;
  for (const ir::FsRule& r : fs.rules)
    if (!r.deny && (r.rights & right) && ref_beneath(p, r.path)) return true;
  return false;
}

uint64_t right_bit(const std::string& name) {
  for (unsigned i = 0; i < 16; ++i)
    if (ir::fs_right_name(uint64_t{1} << i) == name) return uint64_t{1} << i;
  FAIL("unknown right " << name);
  return 0;
}

// `write_file "/etc/a"` -> (write_file bit, /etc/a).
std::pair<uint64_t, std::string> parse_request(const std::string& text) {
  const size_t space = text.find(' ');
  REQUIRE(space != std::string::npos);
  REQUIRE(text.size() >= space + 3);
  REQUIRE(text[space + 1] == '"');
  REQUIRE(text.back() == '"');
  return {right_bit(text.substr(0, space)), text.substr(space + 2, text.size() - space - 3)};
}

std::unique_ptr<test::Compiled> compiled(const std::string& body) {
  auto c = test::compile(test::policy_with(body));
  if (!c->policy) {
    std::string errors;
    for (const auto& d : c->engine.diagnostics()) errors += d.message + "\n";
    FAIL("the policy did not compile: " << body << "\n" << errors);
  }
  return c;
}

std::string line_of(const test::Compiled& c, const diag::SourceRange& r) {
  return std::to_string(c.sources.line_col(r.file, r.begin).line);
}

struct Dead {
  std::string line, message, help;
  std::vector<std::string> notes;  // "LINE: message" (line "-" without a location)
};

std::vector<Dead> dead_rules(test::Compiled& c) {
  const size_t before = c.engine.diagnostics().size();
  verify::check_filesystem(*c.policy, c.engine);
  std::vector<Dead> out;
  for (size_t i = before; i < c.engine.diagnostics().size(); ++i) {
    const diag::Diagnostic& d = c.engine.diagnostics()[i];
    REQUIRE(d.code == diag::Code::DeadRule);
    Dead x{line_of(c, d.range), d.message, d.help, {}};
    for (const diag::Note& n : d.notes) {
      const std::string where = !n.range.valid() ? "-"
                                : c.sources.path(n.range.file) == "/virtual/test.sbx"
                                    ? line_of(c, n.range)
                                    : c.sources.path(n.range.file) + ":" + line_of(c, n.range);
      x.notes.push_back(where + ": " + n.message);
    }
    out.push_back(std::move(x));
  }
  return out;
}

verify::AssertionOutcome prove(const ir::Policy& p, bool never, uint64_t rights, const std::string& path) {
  ir::Assertion a;
  a.never = never;
  a.query.kind = ir::QueryKind::Fs;
  a.query.fs = {path, rights};
  return verify::prove_fs(p, a);
}

constexpr uint64_t kRead = fr::kReadFile | fr::kReadDir;
constexpr uint64_t kWrite3 = fr::kWriteFile | fr::kRemoveDir | fr::kRemoveFile | fr::kMakeDir | fr::kMakeReg |
                             fr::kMakeSock | fr::kMakeFifo | fr::kMakeSym | fr::kRefer | fr::kTruncate;

// A counterexample must be one: beneath the query's path, one of its rights, and decided as the
// outcome says by both the semantics above and ir::decide_fs.
void check_counterexample(const ir::Policy& p, const verify::AssertionOutcome& o, bool never, uint64_t rights,
                          const std::string& path) {
  REQUIRE(o.result == verify::AssertionOutcome::Result::Fails);
  const auto [right, witness] = parse_request(o.counterexample);
  CHECK(ref_beneath(witness, path));
  CHECK((right & rights) != 0);
  CHECK(ref_allowed(p.filesystem, witness, right) == never);
  CHECK(ir::decide_fs(p.filesystem, witness, right).allowed == never);
  CHECK(o.decision == (never ? "allowed" : "denied"));
}

// ---- regions of a diff, read back so that random requests can be tested against them ----

struct ParsedRegion {
  uint64_t rights = 0;
  std::string root;
  std::vector<std::string> except;
  bool contains(const std::string& p, uint64_t right) const {
    if ((rights & right) == 0 || !ref_beneath(p, root)) return false;
    for (const std::string& e : except)
      if (ref_beneath(p, e)) return false;
    return true;
  }
};

// "read_file, read_dir beneath \"/a\", except beneath \"/a/b\", \"/a/c\"" (test paths have no quotes).
ParsedRegion parse_region(const std::string& text) {
  ParsedRegion r;
  const size_t at = text.find(" beneath \"");
  REQUIRE(at != std::string::npos);
  std::stringstream names(text.substr(0, at));
  for (std::string name; std::getline(names, name, ',');) r.rights |= right_bit(name.substr(name.find_first_not_of(' ')));
  std::vector<std::string> quoted;
  for (size_t i = text.find('"', at); i != std::string::npos; i = text.find('"', i)) {
    const size_t close = text.find('"', i + 1);
    quoted.push_back(text.substr(i + 1, close - i - 1));
    i = close + 1;
  }
  REQUIRE(!quoted.empty());
  r.root = quoted[0];
  r.except.assign(quoted.begin() + 1, quoted.end());
  return r;
}

// Paths a policy's decisions can turn on: every rule path, "/", a child and a look-alike sibling
// of each ("/usr/lib-x" is not beneath "/usr/lib"), and their parents.
std::vector<std::string> probe_paths(std::initializer_list<const ir::Filesystem*> sections) {
  std::vector<std::string> out{"/", "/zz", "/a"};
  for (const ir::Filesystem* fs : sections)
    for (const ir::FsRule& r : fs->rules) {
      out.push_back(r.path);
      out.push_back(r.path == "/" ? "/x" : r.path + "/x");
      if (r.path != "/") {
        out.push_back(r.path + "-x");
        out.push_back(r.path + "x");
        out.push_back(r.path.substr(0, std::max<size_t>(1, r.path.rfind('/'))));
      }
    }
  return out;
}

// Every differing (path, right) is in exactly one region of its direction, and no other request
// is in any region; every witness is in its own region and decided as the entry says.
void check_diff_exact(const ir::Policy& old_p, const ir::Policy& new_p, const std::vector<verify::DiffEntry>& diff) {
  std::vector<std::pair<bool, ParsedRegion>> regions;
  for (const verify::DiffEntry& e : diff) {
    CHECK(e.dimension == verify::DiffEntry::Dimension::Filesystem);
    regions.emplace_back(e.widened, parse_region(e.region));
    const auto [right, path] = parse_request(e.witness);
    CHECK(regions.back().second.contains(path, right));
    CHECK(ref_allowed(new_p.filesystem, path, right) == e.widened);
    CHECK(ref_allowed(old_p.filesystem, path, right) == !e.widened);
    CHECK(e.new_decision == (e.widened ? "allowed" : "denied"));
    CHECK(e.old_decision == (e.widened ? "denied" : "allowed"));
  }
  for (const std::string& p : probe_paths({&old_p.filesystem, &new_p.filesystem}))
    for (unsigned i = 0; i < 16; ++i) {
      const uint64_t right = uint64_t{1} << i;
      const bool was = ref_allowed(old_p.filesystem, p, right), is = ref_allowed(new_p.filesystem, p, right);
      int in_widened = 0, in_narrowed = 0;
      for (const auto& [widened, r] : regions)
        if (r.contains(p, right)) ++(widened ? in_widened : in_narrowed);
      INFO(p << " " << ir::fs_right_name(right));
      CHECK(in_widened == (is && !was ? 1 : 0));
      CHECK(in_narrowed == (was && !is ? 1 : 0));
    }
}

}  // namespace

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
    if (d.line == "6") CHECK(d.notes == std::vector<std::string>{"5: granted beneath \"/a\" here: read_file, read_dir"});
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
  CHECK(d.notes[0].message == "truncate: not restricted at Landlock ABI 3, so allowed everywhere whatever the rules say");
}

TEST_CASE("W0009: no filesystem section, no questions") {
  auto c = compiled("syscalls { allow read }");
  CHECK(verify::check_filesystem(*c->policy, c->engine).queries == 0);
}

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
      body += rights[rng() % rights.size()] + ", " + rights[rng() % rights.size()] + " \"" + paths[rng() % paths.size()] + "\"\n";
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

// ---- the examples, and size ----

TEST_CASE("W0009 on the examples: none (they no longer restate their modules' grants)") {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(POLC_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".sbx") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto c = test::compile(text.str());
    REQUIRE(c->policy);
    for (const Dead& d : dead_rules(*c)) FAIL_CHECK(entry.path().filename().string() << ":" << d.line << ": " << d.message);
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
