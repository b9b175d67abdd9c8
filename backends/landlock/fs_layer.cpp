// Stage: backends/landlock. The filesystem layer and the deny-inside-allow check.
#include "backends/landlock/fs_layer.h"

#include <map>

#include "compiler/ir/landlock_names.h"

namespace polc::backends::landlock {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

const char* kArtifact = "landlock.json";

}  // namespace

bool beneath(const std::string& path, const std::string& ancestor) {
  if (ancestor == "/" || path == ancestor) return true;
  return path.size() > ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
         path[ancestor.size()] == '/';
}

diag::Diagnostic deny_inside_allow(const ir::DenyOverlap& overlap) {
  const ir::FsRule& deny = *overlap.deny;
  const ir::FsRule& grant = *overlap.grant;
  const std::string rights = joined(ir::fs_right_names(overlap.rights));
  diag::Diagnostic d{diag::Code::DenyInsideAllow,
                     diag::Severity::Error,
                     overlap.inside ? "Landlock cannot deny " + rights + " on \"" + deny.path + "\": \"" + grant.path +
                                          "\" grants it on everything beneath it"
                                    : "Landlock cannot deny " + rights + " on \"" + deny.path + "\" while \"" +
                                          grant.path + "\" inside it is granted it",
                     deny.origins.front().range,
                     {},
                     {},
                     {}};
  d.note(grant.origins.front().range, "granted here");
  d.note(
      "Landlock only adds rights: a rule grants them on a path and everything beneath it, and no rule can take them back");
  d.with_help(overlap.inside ? "grant the rights on the paths beside \"" + deny.path + "\" instead of on \"" +
                                   grant.path + "\", or drop " + rights + " from the deny if the grant is intended"
                             : "remove the grant inside the denied tree, or deny only the paths beside it");
  return d;
}

FsLayer fs_layer(const ir::Filesystem& fs, Enforcements& enforced, std::vector<Unenforceable>& unenforceable) {
  FsLayer out;
  out.handled = fs.handled;
  std::map<std::string, uint64_t> grants, denies;
  std::map<const ir::FsRule*, ir::DenyOverlap> overlaps;
  for (const ir::DenyOverlap& o : ir::deny_overlaps(fs)) overlaps.emplace(o.deny, o);
  for (const ir::FsRule& r : fs.rules) {
    const std::string rights = joined(ir::fs_right_names(r.rights));
    if (r.deny) {
      denies[r.path] |= r.rights;
      auto overlap = overlaps.find(&r);
      if (overlap == overlaps.end()) {
        for (const ir::Origin& o : r.origins)
          enforced.push_back({o, kArtifact, Extent::Full, "grants no " + rights + " beneath \"" + r.path + "\""});
        continue;
      }
      // Not granting enforces the rights the grant does not reach (a partial claim); the others
      // need another backend.
      const ir::DenyOverlap& ov = overlap->second;
      unenforceable.push_back({r.origins.front(), deny_inside_allow(ov)});
      if (const uint64_t rest = r.rights & ~ov.rights; rest != 0)
        for (const ir::Origin& o : r.origins)
          enforced.push_back({o, kArtifact, Extent::Partial,
                              "grants no " + joined(ir::fs_right_names(rest)) + " beneath \"" + r.path +
                                  "\", but cannot take back " + joined(ir::fs_right_names(ov.rights)) + " that \"" +
                                  ov.grant->path + "\" grants there"});
      continue;
    }
    grants[r.path] |= r.rights;
    for (const ir::Origin& o : r.origins)
      enforced.push_back({o, kArtifact, Extent::Full, "grants " + rights + " beneath \"" + r.path + "\""});
  }
  for (const auto& [path, access] : grants) out.rules.push_back({path, access});
  for (const auto& [path, access] : denies) out.denies.push_back({path, access});
  return out;
}

}  // namespace polc::backends::landlock
