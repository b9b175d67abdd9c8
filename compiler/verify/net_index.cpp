// Stage: verify. Rules filed by host and port for concrete lookups (see net_index.h).
#include "compiler/verify/net_index.h"

namespace polc::verify {

namespace {

Addr128 masked(Addr128 a, unsigned prefix) {
  auto top = [](unsigned bits) { return bits == 0 ? 0 : bits >= 64 ? ~uint64_t{0} : ~uint64_t{0} << (64 - bits); };
  a.hi &= top(std::min(prefix, 64u));
  a.lo &= top(prefix > 64 ? prefix - 64 : 0);
  return a;
}

uint64_t port_count(const std::vector<ir::PortRange>& ports) {
  uint64_t n = 0;
  for (const ir::PortRange& p : ports) n += uint64_t{p.high} - p.low + 1;
  return n;
}

}  // namespace

NetIndex::NetIndex(const std::vector<const NetShape*>& shapes) {
  for (const NetShape* s : shapes) {
    if (s->any_host) {
      if (port_count(s->ports) > kMaxFiledPorts) {
        wide_.push_back(s);
        continue;
      }
      for (const ir::PortRange& p : s->ports)
        for (uint32_t port = p.low; port <= p.high; ++port) hostless_by_port_[static_cast<uint16_t>(port)].push_back(s);
      continue;
    }
    for (const Block& b : s->blocks) blocks_[b.prefix][b.addr].push_back(s);
    for (const ir::Host& d : s->domains) (d.wildcard ? wildcards_ : names_)[d.domain].push_back(s);
  }
}

std::vector<const NetShape*> NetIndex::candidates(const NetRequest& r) const {
  std::vector<const NetShape*> out = wide_;
  auto add = [&](const std::vector<const NetShape*>& v) { out.insert(out.end(), v.begin(), v.end()); };
  if (auto it = hostless_by_port_.find(r.port); it != hostless_by_port_.end()) add(it->second);
  if (r.dest == NetRequest::Dest::Address) {
    for (const auto& [prefix, by_addr] : blocks_)
      if (auto it = by_addr.find(masked(r.addr, prefix)); it != by_addr.end()) add(it->second);
  } else if (r.dest == NetRequest::Dest::Domain) {
    if (auto it = names_.find(r.domain); it != names_.end()) add(it->second);
    // A wildcard admits strict subdomains of its base: the bases are the name's proper suffixes
    // that start after a dot.
    for (size_t dot = r.domain.find('.'); dot != std::string::npos; dot = r.domain.find('.', dot + 1))
      if (auto it = wildcards_.find(r.domain.substr(dot + 1)); it != wildcards_.end()) add(it->second);
  }
  return out;
}

}  // namespace polc::verify
