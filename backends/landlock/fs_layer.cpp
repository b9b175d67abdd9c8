// Stage: backends/landlock. The filesystem layer and the deny-inside-allow check.
#include "backends/landlock/fs_layer.h"

#include <algorithm>
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

// The grants by path, so that a deny reads only the grants on its own path, its ancestors and
// beneath it (a scan of every grant per deny was quadratic in large policies).
class GrantIndex {
 public:
  explicit GrantIndex(const std::vector<ir::FsRule>& rules) {
    for (size_t i = 0; i < rules.size(); ++i)
      if (!rules[i].deny) by_path_[rules[i].path].push_back(i);
  }
  // The indexes of the grants on `path`, on its ancestors and beneath it, in rule order.
  std::vector<size_t> related(const std::string& path) const {
    std::vector<size_t> out;
    auto add = [&](const std::vector<size_t>& v) { out.insert(out.end(), v.begin(), v.end()); };
    for (size_t cut = path.size(); cut > 1;) {  // the ancestors ("/" last)
      cut = path.rfind('/', cut - 1);
      if (auto it = by_path_.find(cut == 0 ? "/" : path.substr(0, cut)); it != by_path_.end()) add(it->second);
    }
    // `path` and the paths beneath it: byte order puts "P/..." between "P/" and "P0" ('0' follows '/').
    if (auto it = by_path_.find(path); it != by_path_.end()) add(it->second);
    const std::string base = path == "/" ? "" : path;
    for (auto it = by_path_.lower_bound(base + "/"); it != by_path_.end() && it->first < base + "0"; ++it)
      if (it->first != path) add(it->second);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

 private:
  std::map<std::string, std::vector<size_t>> by_path_;
};

void check_deny(const ir::FsRule& deny, const std::vector<ir::FsRule>& rules, const GrantIndex& grants,
                diag::Engine& engine) {
  for (size_t i : grants.related(deny.path)) {
    const ir::FsRule& grant = rules[i];
    const uint64_t overlap = grant.rights & deny.rights;
    if (overlap == 0) continue;
    const bool inside = beneath(deny.path, grant.path);
    if (!inside && !beneath(grant.path, deny.path)) continue;
    const std::string rights = joined(ir::fs_right_names(overlap));
    auto& d = engine.report(diag::Code::DenyInsideAllow, deny.origins.front().range,
                            inside ? "Landlock cannot deny " + rights + " on \"" + deny.path + "\": \"" + grant.path +
                                         "\" grants it on everything beneath it"
                                   : "Landlock cannot deny " + rights + " on \"" + deny.path + "\" while \"" +
                                         grant.path + "\" inside it is granted it");
    d.note(grant.origins.front().range, "granted here");
    d.note(
        "Landlock only adds rights: a rule grants them on a path and everything beneath it, and no rule can take them back");
    d.with_help(inside ? "grant the rights on the paths beside \"" + deny.path + "\" instead of on \"" + grant.path +
                             "\", or drop " + rights + " from the deny if the grant is intended"
                       : "remove the grant inside the denied tree, or deny only the paths beside it");
    return;  // one report per deny rule: the fix for the first grant fixes the rest
  }
}

}  // namespace

bool beneath(const std::string& path, const std::string& ancestor) {
  if (ancestor == "/" || path == ancestor) return true;
  return path.size() > ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
         path[ancestor.size()] == '/';
}

FsLayer fs_layer(const ir::Filesystem& fs, diag::Engine& engine, Enforcements& enforced) {
  FsLayer out;
  out.handled = fs.handled;
  std::map<std::string, uint64_t> grants, denies;
  const GrantIndex grant_index(fs.rules);
  for (const ir::FsRule& r : fs.rules) {
    const std::string rights = joined(ir::fs_right_names(r.rights));
    if (r.deny) {
      check_deny(r, fs.rules, grant_index, engine);
      denies[r.path] |= r.rights;
      for (const ir::Origin& o : r.origins)
        enforced.push_back({o, kArtifact, Extent::Full, "grants no " + rights + " beneath \"" + r.path + "\""});
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
