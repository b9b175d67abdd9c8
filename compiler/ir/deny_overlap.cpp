// Stage: ir. Deny rules that overlap a grant (see deny_overlap.h).
#include "compiler/ir/deny_overlap.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "compiler/ir/evaluate_access.h"

namespace polc::ir {

namespace {

// The grants by path, so that a deny reads only the grants on its own path, its ancestors and
// beneath it (a scan of every grant per deny was quadratic in large policies).
class GrantIndex {
 public:
  explicit GrantIndex(const std::vector<FsRule>& rules) {
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

std::optional<DenyOverlap> overlap_of(const FsRule& deny, const std::vector<FsRule>& rules, const GrantIndex& grants) {
  for (size_t i : grants.related(deny.path)) {
    const FsRule& grant = rules[i];
    const uint64_t overlap = grant.rights & deny.rights;
    if (overlap == 0) continue;
    const bool inside = beneath(deny.path, grant.path);
    if (!inside && !beneath(grant.path, deny.path)) continue;
    return DenyOverlap{&deny, &grant, overlap, inside};
  }
  return std::nullopt;
}

}  // namespace

std::vector<DenyOverlap> deny_overlaps(const Filesystem& fs) {
  std::vector<DenyOverlap> out;
  const GrantIndex grants(fs.rules);
  for (const FsRule& r : fs.rules)
    if (r.deny)
      if (auto overlap = overlap_of(r, fs.rules, grants)) out.push_back(*overlap);
  return out;
}

}  // namespace polc::ir
