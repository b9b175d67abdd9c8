// Stage: verify. The network section read into shapes, and its concrete meaning (see net_model.h).
#include "compiler/verify/net_model.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace polc::verify {

namespace {

uint64_t load64(const std::array<uint8_t, 16>& bytes, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = v << 8 | bytes[at + i];
  return v;
}

// The top `bits` bits of a 64-bit half, as a mask (bits 0..64).
uint64_t top_mask(unsigned bits) { return bits == 0 ? 0 : bits >= 64 ? ~uint64_t{0} : ~uint64_t{0} << (64 - bits); }

Addr128 masked(Addr128 a, unsigned prefix) {
  a.hi &= top_mask(std::min(prefix, 64u));
  a.lo &= top_mask(prefix > 64 ? prefix - 64 : 0);
  return a;
}

const Block kMapped{{0, 0x0000ffff00000000ull}, 96};

bool same_or_under(std::string_view name, std::string_view base) {
  if (name == base) return true;
  return name.size() > base.size() && name.ends_with(base) && name[name.size() - base.size() - 1] == '.';
}

// Two domain patterns share a name: exact names are equal or the exact one matches the wildcard;
// two wildcards always share the subdomains of the deeper base when one base is under the other.
bool domains_intersect(const ir::Host& a, const ir::Host& b) {
  if (!a.wildcard && !b.wildcard) return a.domain == b.domain;
  if (!a.wildcard) return domain_matches(b, a.domain);
  if (!b.wildcard) return domain_matches(a, b.domain);
  return same_or_under(a.domain, b.domain) || same_or_under(b.domain, a.domain);
}

bool ports_intersect(const std::vector<ir::PortRange>& a, const std::vector<ir::PortRange>& b) {
  for (const ir::PortRange& x : a)
    for (const ir::PortRange& y : b)
      if (x.low <= y.high && y.low <= x.high) return true;
  return false;
}

}  // namespace

std::vector<ir::PortRange> merged_ports(std::vector<ir::PortRange> ports) {
  if (ports.empty()) return {{1, 65535}};
  std::sort(ports.begin(), ports.end());
  std::vector<ir::PortRange> out;
  for (const ir::PortRange& p : ports) {
    if (!out.empty() && uint32_t{p.low} <= uint32_t{out.back().high} + 1) {
      out.back().high = std::max(out.back().high, p.high);
      continue;
    }
    out.push_back(p);
  }
  return out;
}

Addr128 address_of(const ir::Host& host) {
  if (host.kind == ir::HostKind::V4) {
    const uint64_t v4 =
        uint64_t{host.addr[0]} << 24 | uint64_t{host.addr[1]} << 16 | uint64_t{host.addr[2]} << 8 | host.addr[3];
    return {0, 0x0000ffff00000000ull | v4};
  }
  return {load64(host.addr, 0), load64(host.addr, 8)};
}

Block block_of(const ir::Host& host) {
  const unsigned prefix =
      host.kind == ir::HostKind::V4 ? 96u + std::min<unsigned>(host.prefix, 32) : std::min<unsigned>(host.prefix, 128);
  return {masked(address_of(host), prefix), prefix};
}

bool contains(const Block& block, const Addr128& addr) { return masked(addr, block.prefix) == block.addr; }

bool contains(const Block& outer, const Block& inner) {
  return outer.prefix <= inner.prefix && contains(outer, inner.addr);
}

bool intersects(const Block& a, const Block& b) { return contains(a, b) || contains(b, a); }

bool is_v4_mapped(const Block& block) { return contains(kMapped, block); }

bool domain_matches(const ir::Host& pattern, std::string_view name) {
  if (!pattern.wildcard) return name == pattern.domain;
  return name != pattern.domain && same_or_under(name, pattern.domain);
}

NetShape shape_of(const ir::NetRule& rule) {
  NetShape s;
  s.rule = &rule;
  s.origin = rule.origin;
  s.direction = rule.direction;
  s.proto = rule.proto;
  s.ports = merged_ports(rule.ports);
  s.any_host = rule.hosts.empty();
  for (const ir::Host& h : rule.hosts) {
    switch (h.kind) {
      case ir::HostKind::Any: s.any_host = true; break;
      case ir::HostKind::Domain: s.domains.push_back(h); break;
      case ir::HostKind::V4:
      case ir::HostKind::V6: {
        const Block b = block_of(h);
        // See the header: the implicit rule's mapped forms reach no packet.
        if (rule.implicit && h.kind == ir::HostKind::V6 && is_v4_mapped(b)) break;
        s.blocks.push_back(b);
        break;
      }
    }
  }
  if (s.any_host) {
    s.blocks.clear();
    s.domains.clear();
  }
  return s;
}

NetPolicy read_network(const ir::Policy& policy) {
  NetPolicy p;
  p.present = policy.network.present;
  for (const ir::NetRule& r : policy.network.rules) {
    (r.deny ? p.denies : p.allows).push_back(shape_of(r));
    if (!r.deny && !p.allows.back().domains.empty()) p.has_domain_allow = true;
  }
  // Number equal parts (see NetShape::ports_key).
  std::map<std::tuple<ir::Direction, ir::Proto, std::vector<ir::PortRange>>, uint32_t> ports_keys;
  std::map<std::tuple<ir::Direction, ir::Proto, bool, std::vector<Block>, std::vector<ir::Host>>, uint32_t> hosts_keys;
  for (auto* shapes : {&p.denies, &p.allows})
    for (NetShape& s : *shapes) {
      s.ports_key = ports_keys.try_emplace({s.direction, s.proto, s.ports}, ports_keys.size() + 1).first->second;
      s.hosts_key =
          hosts_keys.try_emplace({s.direction, s.proto, s.any_host, s.blocks, s.domains}, hosts_keys.size() + 1)
              .first->second;
    }
  if (policy.network.proxy) {
    const ir::Proxy& proxy = *policy.network.proxy;
    NetShape s;
    s.origin = proxy.origin;
    s.direction = ir::Direction::Connect;
    s.proto = ir::Proto::Tcp;
    s.ports = {{proxy.port, proxy.port}};
    s.any_host = false;
    ir::Host exact = proxy.address;
    exact.prefix = exact.kind == ir::HostKind::V4 ? 32 : 128;
    s.blocks = {block_of(exact)};
    p.proxy = std::move(s);
  }
  return p;
}

bool matches(const NetShape& s, const NetRequest& r) {
  if (s.direction != ir::Direction::Any && s.direction != r.direction) return false;
  if (s.proto != ir::Proto::Any && s.proto != r.proto) return false;
  if (std::none_of(s.ports.begin(), s.ports.end(),
                   [&](const ir::PortRange& p) { return p.low <= r.port && r.port <= p.high; }))
    return false;
  if (s.any_host) return true;
  switch (r.dest) {
    case NetRequest::Dest::None: return false;
    case NetRequest::Dest::Address:
      return std::any_of(s.blocks.begin(), s.blocks.end(), [&](const Block& b) { return contains(b, r.addr); });
    case NetRequest::Dest::Domain:
      return std::any_of(s.domains.begin(), s.domains.end(),
                         [&](const ir::Host& d) { return domain_matches(d, r.domain); });
  }
  return false;
}

NetDecision decide(const NetPolicy& p, const NetRequest& r) {
  NetDecision out;
  for (const NetShape& s : p.denies)
    if (matches(s, r)) out.deciding.push_back(&s);
  if (!out.deciding.empty()) return out;
  out.allowed = true;
  if (!p.present) return out;
  for (const NetShape& s : p.allows)
    if (matches(s, r)) out.deciding.push_back(&s);
  // As ir::decide_net: the proxy statement decides only what no allow rule does.
  if (out.deciding.empty() && p.proxy && p.has_domain_allow && matches(*p.proxy, r)) out.deciding.push_back(&*p.proxy);
  out.allowed = !out.deciding.empty();
  return out;
}

bool may_overlap(const NetShape& a, const NetShape& b) {
  if (a.direction != ir::Direction::Any && b.direction != ir::Direction::Any && a.direction != b.direction)
    return false;
  if (a.proto != ir::Proto::Any && b.proto != ir::Proto::Any && a.proto != b.proto) return false;
  if (!ports_intersect(a.ports, b.ports)) return false;
  if (a.any_host && b.any_host) return true;
  // A rule with hosts matches only connects, so the shared requests are connects.
  if (a.direction == ir::Direction::Bind || b.direction == ir::Direction::Bind) return false;
  if (a.any_host) return !b.blocks.empty() || !b.domains.empty();
  if (b.any_host) return !a.blocks.empty() || !a.domains.empty();
  for (const Block& x : a.blocks)
    for (const Block& y : b.blocks)
      if (intersects(x, y)) return true;
  for (const ir::Host& x : a.domains)
    for (const ir::Host& y : b.domains)
      if (domains_intersect(x, y)) return true;
  return false;
}

std::vector<NetShape> merged_union(const std::vector<const NetShape*>& shapes) {
  // Grouping by the precomputed keys keeps this O(n log n) in integers: it runs once per query.
  auto key = [](uint32_t k, size_t i) { return k ? uint64_t{k} : (uint64_t{1} << 32) + i; };  // 0: alone
  std::vector<std::pair<uint64_t, const NetShape*>> by_hosts;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const NetShape* s = shapes[i];
    if (s->any_host || !s->blocks.empty() || !s->domains.empty()) by_hosts.emplace_back(key(s->hosts_key, i), s);
  }
  std::stable_sort(by_hosts.begin(), by_hosts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<NetShape> out;
  std::vector<std::pair<uint64_t, const NetShape*>> by_ports;  // shapes no other shares hosts with
  for (size_t i = 0; i < by_hosts.size();) {
    size_t j = i + 1;
    while (j < by_hosts.size() && by_hosts[j].first == by_hosts[i].first) ++j;
    if (j == i + 1) {
      by_ports.emplace_back(key(by_hosts[i].second->ports_key, i), by_hosts[i].second);
    } else {
      // Same direction, protocol and hosts: one shape with every port.
      NetShape m = *by_hosts[i].second;
      for (size_t k = i + 1; k < j; ++k)
        m.ports.insert(m.ports.end(), by_hosts[k].second->ports.begin(), by_hosts[k].second->ports.end());
      m.ports = merged_ports(std::move(m.ports));
      m.rule = nullptr;  // a union of rules, not one of them
      m.ports_key = 0;
      out.push_back(std::move(m));
    }
    i = j;
  }
  std::stable_sort(by_ports.begin(), by_ports.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < by_ports.size();) {
    size_t j = i + 1;
    while (j < by_ports.size() && by_ports[j].first == by_ports[i].first) ++j;
    // Same direction, protocol and ports: one shape with every host (any host absorbs the rest).
    NetShape m = *by_ports[i].second;
    for (size_t k = i + 1; k < j && !m.any_host; ++k) {
      const NetShape& s = *by_ports[k].second;
      if (s.any_host) {
        m.any_host = true;
        m.blocks.clear();
        m.domains.clear();
        break;
      }
      m.blocks.insert(m.blocks.end(), s.blocks.begin(), s.blocks.end());
      m.domains.insert(m.domains.end(), s.domains.begin(), s.domains.end());
    }
    if (j > i + 1) {
      m.rule = nullptr;
      m.hosts_key = 0;
    }
    out.push_back(std::move(m));
    i = j;
  }
  return out;
}

}  // namespace polc::verify
