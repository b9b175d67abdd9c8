// Stage: verify. The finite universe of domain names (see net_domains.h).
#include "compiler/verify/net_domains.h"

#include <algorithm>
#include <set>

namespace polc::verify {

namespace {

// The labels from the top, separated by \x01 (below every LDH character), so that sorting the
// keys puts each name right before its subdomains, and those right after one another.
std::string label_key(const std::string& name) {
  std::vector<std::string> labels;
  size_t begin = 0;
  while (true) {
    const size_t dot = name.find('.', begin);
    labels.push_back(name.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin));
    if (dot == std::string::npos) break;
    begin = dot + 1;
  }
  std::string key;
  for (auto it = labels.rbegin(); it != labels.rend(); ++it) key += (key.empty() ? "" : "\x01") + *it;
  return key;
}

bool under_any(const std::string& name, const std::set<std::string>& known) {
  for (const std::string& k : known)
    if (name == k || (name.size() > k.size() && name.ends_with(k) && name[name.size() - k.size() - 1] == '.'))
      return true;
  return false;
}

}  // namespace

void DomainUniverse::add_host(const ir::Host& host) {
  if (host.kind == ir::HostKind::Domain) known_.push_back(host.domain);
}

void DomainUniverse::add_policy(const ir::Policy& policy) {
  for (const ir::NetRule& r : policy.network.rules)
    for (const ir::Host& h : r.hosts) add_host(h);
}

void DomainUniverse::finish() {
  const std::set<std::string> known(known_.begin(), known_.end());
  std::set<std::string> names = known;
  for (const std::string& d : known) {
    // A fresh child: "x.d", or "x1.d", ... when that one is known too.
    std::string child = "x." + d;
    for (unsigned n = 1; known.count(child); ++n) child = "x" + std::to_string(n) + "." + d;
    names.insert(child);
    fresh_child_[d] = child;
  }
  // A name under no known name: "unlisted.example" unless the policies name "example" (or the
  // name itself), then other reserved top-level names.
  for (unsigned n = 0;; ++n) {
    static const char* const kTops[] = {"example", "invalid", "test"};
    const std::string top = n < 3 ? kTops[n] : "example" + std::to_string(n);
    const std::string candidate = "unlisted." + top;
    if (!under_any(candidate, known) && !under_any(top, known)) {
      names.insert(candidate);
      unrelated_ = candidate;
      break;
    }
  }
  std::vector<std::pair<std::string, std::string>> keyed;
  for (const std::string& n : names) keyed.emplace_back(label_key(n), n);
  std::sort(keyed.begin(), keyed.end());
  for (auto& [key, name] : keyed) {
    keys_.push_back(key);
    names_.push_back(name);
  }
}

unsigned DomainUniverse::bits() const {
  unsigned b = 1;
  while ((size_t{1} << b) < names_.size()) ++b;
  return b;
}

std::optional<uint32_t> DomainUniverse::index(const std::string& name) const {
  const std::string key = label_key(name);
  const auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
  if (it == keys_.end() || *it != key) return std::nullopt;
  return static_cast<uint32_t>(it - keys_.begin());
}

std::string DomainUniverse::representative(const std::string& name) const {
  if (fresh_child_.count(name)) return name;
  // Its ancestors from the deepest: the first known one decides (net_domains.h).
  for (size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', dot + 1)) {
    const auto it = fresh_child_.find(name.substr(dot + 1));
    if (it != fresh_child_.end()) return it->second;
  }
  return unrelated_;
}

std::pair<uint32_t, uint32_t> DomainUniverse::range(const ir::Host& pattern) const {
  const auto at = index(pattern.domain);
  if (!at) return {1, 0};  // not in the universe (finish() ran before it was added): matches nothing here
  if (!pattern.wildcard) return {*at, *at};
  // The strict subdomains: the keys that start with the name's key and a separator.
  const std::string prefix = keys_[*at] + '\x01';
  const auto first = keys_.begin() + *at + 1;
  const auto last =
      std::partition_point(first, keys_.end(), [&](const std::string& k) { return k.starts_with(prefix); });
  return {static_cast<uint32_t>(first - keys_.begin()), static_cast<uint32_t>(last - keys_.begin()) - 1};
}

}  // namespace polc::verify
