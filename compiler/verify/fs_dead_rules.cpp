// Stage: verify. W0009 for filesystem grants that never decide anything (see fs_checks.h).
//
// A statement is a (rule, origin) pair: canonicalize merges statements that say exactly the same
// thing into one rule with several origins, and a policy statement that repeats a module's is
// dead even though the rule it belongs to is not.
//
// Why only rules on the same path or an ancestor path are read: a grant on Q is live somewhere
// beneath Q exactly when it is live on Q itself. At a path P beneath Q the rules that match are
// those matching Q plus some beneath Q; a grant decides (P, R) when no other matching rule
// grants R and none denies it, and then none of the fewer rules matching Q does either. Rules
// beneath Q never match Q, and rules on unrelated paths match neither. So one query per
// statement, over its ancestors' rules, is exact, and the policy's size only enters through the
// depth of its paths. Over those rules the question does not even depend on the path, so a
// bit-mask pre-check answers it for every live statement, and only the dead ones reach Z3.
#include <algorithm>
#include <map>

#include "compiler/verify/fs_checks.h"
#include "compiler/verify/fs_model.h"
#include "compiler/verify/solver.h"

namespace polc::verify {

namespace {

// Which statements are still standing: the ones reported dead are left out of later questions.
class Standing {
 public:
  explicit Standing(const ir::Filesystem& fs) {
    for (const ir::FsRule& r : fs.rules) removed_.emplace_back(r.origins.size(), false);
  }
  void remove(size_t rule, size_t origin) { removed_[rule][origin] = true; }
  // The first standing origin of `rule` other than `except`; nullopt when none stands.
  std::optional<size_t> origin(size_t rule, std::optional<size_t> except = std::nullopt) const {
    for (size_t k = 0; k < removed_[rule].size(); ++k)
      if (!removed_[rule][k] && k != except) return k;
    return std::nullopt;
  }

 private:
  std::vector<std::vector<bool>> removed_;
};

// The indexes of the rules on `path` and on each of its ancestors, deepest first.
std::vector<size_t> rules_above(const std::map<std::string, std::vector<size_t>>& by_path, const std::string& path) {
  std::vector<size_t> out;
  auto add = [&](const std::string& p) {
    if (auto it = by_path.find(p); it != by_path.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  };
  add(path);
  for (size_t cut = path.size(); cut > 1;) {
    cut = path.rfind('/', cut - 1);
    add(cut == 0 ? "/" : path.substr(0, cut));
  }
  return out;
}

std::string by_whom(const ir::Origin& o) { return o.module.empty() ? "" : " (" + o.module + ")"; }

// Notes naming what decides the dead statement's rights instead: the other grants and the denies
// that overlap them, nearest path first, and the ABI when a right is not handled at all.
void explain(diag::Diagnostic& d, const ir::Filesystem& fs, const ir::FsRule& dead, size_t dead_rule,
             size_t dead_origin, const std::vector<size_t>& above, const Standing& standing) {
  if (const uint64_t unhandled = dead.rights & ~fs.handled; unhandled != 0)
    d.note(fs.abi_origin.range, rights_text(unhandled) + ": not restricted at Landlock ABI " +
                                    std::to_string(fs.min_abi) + ", so allowed everywhere whatever the rules say");
  for (size_t j : above) {
    const ir::FsRule& r = fs.rules[j];
    const uint64_t overlap = r.rights & dead.rights & fs.handled;
    const auto k = standing.origin(j, j == dead_rule ? std::optional<size_t>(dead_origin) : std::nullopt);
    if (overlap == 0 || !k) continue;
    const ir::Origin& o = r.origins[*k];
    if (r.deny)
      d.note(o.range, "denied beneath " + quoted(r.path) + " here" + by_whom(o) + ": " + rights_text(overlap));
    else d.note(o.range, "granted beneath " + quoted(r.path) + " here" + by_whom(o) + ": " + rights_text(overlap));
  }
}

}  // namespace

Work check_filesystem(const ir::Policy& policy, diag::Engine& engine) {
  Work work;
  const ir::Filesystem& fs = policy.filesystem;
  if (!fs.present) return work;
  std::map<std::string, std::vector<size_t>> by_path;
  for (size_t i = 0; i < fs.rules.size(); ++i) by_path[fs.rules[i].path].push_back(i);
  // Nearest path first, then IR order: the order of the notes.
  auto depth_first = [&](size_t a, size_t b) {
    const size_t la = fs.rules[a].path.size(), lb = fs.rules[b].path.size();
    return la != lb ? la > lb : a < b;
  };

  Standing standing(fs);
  z3::context& ctx = shared_context();
  Query query(ctx);
  for (size_t i = 0; i < fs.rules.size(); ++i) {
    const ir::FsRule& rule = fs.rules[i];
    if (rule.deny) continue;
    std::vector<size_t> above = rules_above(by_path, rule.path);
    std::sort(above.begin(), above.end(), depth_first);
    // A rule's origins are sorted with the policy's own first; the last of repeated policy
    // statements is reported, covered by the earlier one.
    for (size_t k = rule.origins.size(); k-- > 0;) {
      if (!rule.origins[k].module.empty()) continue;
      std::vector<const ir::FsRule*> others;
      std::vector<std::string> paths;
      uint64_t granted_by_others = 0, denied_here = 0;
      for (size_t j : above) {
        paths.push_back(fs.rules[j].path);
        if (!standing.origin(j, j == i ? std::optional<size_t>(k) : std::nullopt)) continue;
        others.push_back(&fs.rules[j]);
        (fs.rules[j].deny ? denied_here : granted_by_others) |= fs.rules[j].rights;
      }
      ++work.queries;  // one question per statement, however it is answered
      // The exact pre-check. Every rule read here is on rule.path or an ancestor, so it matches
      // every path beneath rule.path alike: the question below does not depend on the path, and
      // the statement decides exactly the rights it grants that are handled, denied by no rule
      // here and granted by no other standing one (allowed_mask in fs_model.h, with and without
      // it). When one is left the statement is live, and the solver is not asked: that is the
      // common case, and asking cost a millisecond per statement (133 s for 50,000 paths). A
      // statement found dead is still proved so by Z3 below before it is reported.
      if ((rule.rights & fs.handled & ~denied_here & ~granted_by_others & 0xffff) != 0) continue;
      std::vector<const ir::FsRule*> with = others;
      with.push_back(&rule);
      const PathTree tree(paths);
      const FsVars v = make_fs_vars(ctx, tree);
      // A (path, right) the statement decides: allowed with it, denied without it.
      const z3::expr decides = well_formed(v, tree) && beneath(v, tree, rule.path) && has_right(v, rule.rights) &&
                               allowed(fs, with, tree, v) && !allowed(fs, others, tree, v);
      const Answer answer = query.check(decides);
      if (answer == Answer::Sat) continue;
      // A lint is not a proof: a statement Z3 could not decide is counted and left standing.
      if (answer == Answer::Unknown) {
        ++work.unknown;
        continue;
      }
      standing.remove(i, k);
      auto& d = engine.report(diag::Code::DeadRule, rule.origins[k].range,
                              "the grant of " + rights_text(rule.rights) + " beneath " + quoted(rule.path) +
                                  " never decides anything: other rules decide each of these rights there");
      explain(d, fs, rule, i, k, above, standing);
      // Denies always win: when one takes rights away, the grant may be the intended rule.
      const bool denied = std::any_of(above.begin(), above.end(), [&](size_t j) {
        return fs.rules[j].deny && (fs.rules[j].rights & rule.rights & fs.handled) != 0;
      });
      d.with_help(denied ? "deny rules always win: narrow the ones in the notes if " + quoted(rule.path) +
                               " should be granted, or remove it from this rule"
                         : "remove " + quoted(rule.path) +
                               " from this rule; the rules in the notes decide the same requests");
    }
  }
  return work;
}

}  // namespace polc::verify
