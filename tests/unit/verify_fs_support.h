// Shared by the filesystem verifier tests (verify_fs_*_test.cpp): the concrete semantics written
// out, in-memory policies, dead-rule and assertion helpers, and the reader of diff regions that
// lets random requests be checked against them.
#pragma once

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

namespace verify_fs_support {

// ---- the concrete semantics, as the brief states it ----

inline bool ref_beneath(const std::string& p, const std::string& d) {
  return d == "/" || p == d || (p.size() > d.size() && p.compare(0, d.size(), d) == 0 && p[d.size()] == '/');
}

inline bool ref_allowed(const ir::Filesystem& fs, const std::string& p, uint64_t right) {
  if (!fs.present || (fs.handled & right) == 0) return true;
  for (const ir::FsRule& r : fs.rules)
    if (r.deny && (r.rights & right) && ref_beneath(p, r.path)) return false;
  for (const ir::FsRule& r : fs.rules)
    if (!r.deny && (r.rights & right) && ref_beneath(p, r.path)) return true;
  return false;
}

inline uint64_t right_bit(const std::string& name) {
  for (unsigned i = 0; i < 16; ++i)
    if (ir::fs_right_name(uint64_t{1} << i) == name) return uint64_t{1} << i;
  FAIL("unknown right " << name);
  return 0;
}

// `write_file "/etc/a"` -> (write_file bit, /etc/a).
inline std::pair<uint64_t, std::string> parse_request(const std::string& text) {
  const size_t space = text.find(' ');
  REQUIRE(space != std::string::npos);
  REQUIRE(text.size() >= space + 3);
  REQUIRE(text[space + 1] == '"');
  REQUIRE(text.back() == '"');
  return {right_bit(text.substr(0, space)), text.substr(space + 2, text.size() - space - 3)};
}

inline std::unique_ptr<test::Compiled> compiled(const std::string& body) {
  auto c = test::compile(test::policy_with(body));
  if (!c->policy) {
    std::string errors;
    for (const auto& d : c->engine.diagnostics()) errors += d.message + "\n";
    FAIL("the policy did not compile: " << body << "\n" << errors);
  }
  return c;
}

inline std::string line_of(const test::Compiled& c, const diag::SourceRange& r) {
  return std::to_string(c.sources.line_col(r.file, r.begin).line);
}

struct Dead {
  std::string line, message, help;
  std::vector<std::string> notes;  // "LINE: message" (line "-" without a location)
};

inline std::vector<Dead> dead_rules(test::Compiled& c) {
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

inline verify::AssertionOutcome prove(const ir::Policy& p, bool never, uint64_t rights, const std::string& path) {
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
inline void check_counterexample(const ir::Policy& p, const verify::AssertionOutcome& o, bool never, uint64_t rights,
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
inline ParsedRegion parse_region(const std::string& text) {
  ParsedRegion r;
  const size_t at = text.find(" beneath \"");
  REQUIRE(at != std::string::npos);
  std::stringstream names(text.substr(0, at));
  for (std::string name; std::getline(names, name, ',');)
    r.rights |= right_bit(name.substr(name.find_first_not_of(' ')));
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
inline std::vector<std::string> probe_paths(std::initializer_list<const ir::Filesystem*> sections) {
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
inline void check_diff_exact(const ir::Policy& old_p, const ir::Policy& new_p,
                             const std::vector<verify::DiffEntry>& diff) {
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

}  // namespace verify_fs_support
