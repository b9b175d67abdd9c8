// Stage: verify. The finite set of domain names that stands, exactly, for every domain name in a
// network proof.
//
// Why a finite set is exact. A rule's domain hosts ask two things of a name n: is n equal to d, and
// is n a strict subdomain of d, for the names d the policies mention (their "known" names). So two
// names that answer every such question alike are decided alike by every rule, and it is enough to
// try one name per answer pattern:
//   - a known name d answers "equal to d" and "under" each known ancestor of d: d itself stands
//     for it;
//   - any other name n equals no known name, and the known names it lies under are exactly its
//     ancestors among them: the deepest one, a, and a's own known ancestors (a known name that n
//     lies under is a suffix of n on a label boundary, as a is, so it is a or an ancestor of a).
//     So n answers like "x.a", a fresh child of a that is not itself known;
//   - a name under no known name answers "no" everywhere, like one fresh name outside them all.
// The universe is therefore the known names, one fresh child of each ("x.pythonhosted.org", a
// readable witness), and one unrelated name: 2k+1 names for k known ones, which a small bit-vector
// numbers. Names are ordered by their labels read from the top ("org", "pythonhosted", "x"), so a
// name's strict subdomains in the universe have consecutive numbers and a wildcard is one range.
// Length limits on real names (253 characters) are not modelled: the language's reference meaning
// has none.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::verify {

class DomainUniverse {
 public:
  // Every domain named by `policy`'s network rules (queries add their own host: a witness then
  // does not depend on which other assertions the policy has).
  void add_policy(const ir::Policy& policy);
  void add_host(const ir::Host& host);  // ignored unless a Domain
  // Adds the fresh names and numbers the universe; no add_* after it.
  void finish();

  size_t size() const { return names_.size(); }
  const std::string& name(size_t index) const { return names_[index]; }
  // Width of the bit-vector that numbers the names (at least 1).
  unsigned bits() const;
  // The numbers of the names `pattern` matches, as an inclusive range (first > last: none).
  std::pair<uint32_t, uint32_t> range(const ir::Host& pattern) const;
  // The number of `name` if it is in the universe.
  std::optional<uint32_t> index(const std::string& name) const;
  // The name of the universe that every rule decides like `name` (any lowercase name): the name
  // itself when known, else the fresh child of its deepest known ancestor, else the unrelated one.
  std::string representative(const std::string& name) const;

 private:
  std::vector<std::string> known_;
  std::map<std::string, std::string> fresh_child_;  // known name -> its fresh child
  std::string unrelated_;
  std::vector<std::string> names_;  // sorted by label_key
  std::vector<std::string> keys_;   // label_key of names_, same order
};

}  // namespace polc::verify
