// Stage: verify. Filesystem assertions (`assert never|always RIGHTS "PATH"`) proved in Z3: the
// assertion fails exactly when some path beneath (or equal to) PATH and some right of the query
// break it, and the solver is asked for one.
#include "compiler/verify/fs_checks.h"
#include "compiler/verify/fs_model.h"
#include "compiler/verify/solver.h"

namespace polc::verify {

AssertionOutcome prove_fs(const ir::Policy& policy, const ir::Assertion& assertion) {
  AssertionOutcome out;
  const ir::Filesystem& fs = policy.filesystem;
  const ir::FsQuery& q = assertion.query.fs;
  // Only rules on the query's path, an ancestor of it, or beneath it can match a path beneath it.
  std::vector<const ir::FsRule*> rules;
  std::vector<std::string> paths{q.path};
  for (const ir::FsRule& r : fs.rules) {
    if (!beneath(q.path, r.path) && !beneath(r.path, q.path)) continue;
    rules.push_back(&r);
    paths.push_back(r.path);
  }
  const PathTree tree(paths);
  z3::context& ctx = shared_context();
  const FsVars v = make_fs_vars(ctx, tree);
  const z3::expr mask = allowed_mask(fs, rules, tree, v);
  const z3::expr ok = (mask & v.right) != 0;
  const z3::expr breaks =
      well_formed(v, tree) && beneath(v, tree, q.path) && has_right(v, q.rights) && (assertion.never ? ok : !ok);
  Query query(ctx);
  const Answer answer = query.check(breaks);
  out.queries = query.checks();
  if (answer == Answer::Unsat) return out;
  if (answer == Answer::Unknown) {
    out.result = AssertionOutcome::Result::Unknown;
    return out;
  }
  const std::string& path = tree.path(class_of(query, v));
  // Of the rights that break the assertion on the witness's path, report the first (in bit order,
  // as rights are listed everywhere), not whichever the solver happened to pick.
  const uint64_t allowed_there = query.value(mask);
  const uint64_t breaking = (assertion.never ? allowed_there : ~allowed_there) & q.rights & 0xffff;
  const uint64_t right = breaking != 0 ? breaking & (~breaking + 1) : query.value(v.right);
  out.result = AssertionOutcome::Result::Fails;
  out.counterexample = request_text(right, path);
  out.decision = assertion.never ? "allowed" : "denied";
  out.deciding = deciding_rules(fs, path, right, assertion.never);
  return out;
}

}  // namespace polc::verify
