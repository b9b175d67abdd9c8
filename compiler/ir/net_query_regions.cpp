// Stage: ir. Representative requests of a network query (see net_query_regions.h).
#include "compiler/ir/net_query_regions.h"

#include <algorithm>
#include <optional>
#include <set>

namespace polc::ir {

namespace {

struct Block {
  IpAddress addr{};  // bits below `prefix` are zero
  unsigned prefix = 0;
  friend auto operator<=>(const Block&, const Block&) = default;
};

Block masked(IpAddress a, unsigned prefix) {
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned keep = prefix >= 8 * (i + 1) ? 8 : prefix > 8 * i ? prefix - 8 * i : 0;
    a[i] &= static_cast<uint8_t>(0xff00u >> keep);
  }
  return {a, prefix};
}

bool inside(const Block& inner, const Block& outer) {
  return inner.prefix >= outer.prefix && in_block(inner.addr, outer.addr, outer.prefix);
}
bool strictly_inside(const Block& inner, const Block& outer) {
  return inner.prefix > outer.prefix && inside(inner, outer);
}

IpAddress mapped(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}

// An address of `region` outside every block of `holes` (all strictly inside it), or nullopt when
// they cover it. Readable addresses first (documentation ranges, the block's first host), then a
// descent into whichever half is not covered.
std::optional<IpAddress> point_outside(const Block& region, const std::vector<Block>& holes) {
  auto free = [&](const IpAddress& a) {
    return in_block(a, region.addr, region.prefix) &&
           std::none_of(holes.begin(), holes.end(), [&](const Block& h) { return in_block(a, h.addr, h.prefix); });
  };
  IpAddress first_host = region.addr;
  if (region.prefix < 128) first_host[15] |= 1;
  const IpAddress doc6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  for (const IpAddress& a : {mapped(192, 0, 2, 1), doc6, first_host, region.addr})
    if (free(a)) return a;
  if (holes.empty() || region.prefix == 128) return std::nullopt;
  for (unsigned bit : {0u, 1u}) {
    Block half = region;
    half.prefix = region.prefix + 1;
    if (bit) half.addr[region.prefix / 8] |= static_cast<uint8_t>(0x80u >> (region.prefix % 8));
    std::vector<Block> in_half;
    bool covered = false;
    for (const Block& h : holes) {
      if (!inside(h, half)) continue;
      if (h == half) covered = true;
      in_half.push_back(h);
    }
    if (covered) continue;
    if (auto p = point_outside(half, in_half)) return p;
  }
  return std::nullopt;
}

// One address of `query` per region of the rules' blocks: of the query block outside every block
// inside it, and of each such block outside the blocks inside it. (Blocks are nested or disjoint,
// so each region is one block minus the blocks inside it.) Blocks that contain the whole query
// match all of it alike and do not cut it.
std::vector<IpAddress> address_points(const Block& query, const std::set<Block>& blocks) {
  std::vector<Block> cuts;
  for (const Block& b : blocks)
    if (strictly_inside(b, query)) cuts.push_back(b);
  std::vector<IpAddress> out;
  auto add_region = [&](const Block& region) {
    std::vector<Block> holes;
    for (const Block& c : cuts)
      if (strictly_inside(c, region)) holes.push_back(c);
    if (auto p = point_outside(region, holes)) out.push_back(*p);
  };
  add_region(query);
  for (const Block& c : cuts) add_region(c);
  return out;
}

bool strictly_under(std::string_view name, std::string_view base) {
  return name.size() > base.size() + 1 && name.ends_with(base) && name[name.size() - base.size() - 1] == '.';
}

// A subdomain of `base` that no rule names exactly: it matches the same wildcards as every other
// such name one label below `base` (none deeper than `base` can contain it).
std::string fresh_child(std::string_view base, const std::set<std::string>& exact) {
  for (int i = 0;; ++i) {
    std::string name = (i == 0 ? std::string("x") : "x" + std::to_string(i)) + "." + std::string(base);
    if (!exact.count(name)) return name;
  }
}

// A name no domain host matches: not listed, and under no wildcard (a single label is under none).
std::string unlisted_name(const std::vector<Host>& domains) {
  auto free = [&](const std::string& n) {
    return std::none_of(domains.begin(), domains.end(), [&](const Host& h) { return domain_matches(h, n); });
  };
  for (const char* n : {"example.com", "example.net", "example.org"})
    if (free(n)) return n;
  for (int i = 0;; ++i)
    if (std::string n = "example" + std::to_string(i); free(n)) return n;
}

// One name per region of the names the query covers: `only` (an exact query), the strict
// subdomains of `under` (a wildcard query), or every name (neither).
std::vector<std::string> domain_points(const std::vector<Host>& domains, const std::optional<Host>& query) {
  std::set<std::string> exact;
  for (const Host& h : domains)
    if (!h.wildcard) exact.insert(h.domain);
  if (query && !query->wildcard) return {query->domain};
  auto covered = [&](const std::string& name) { return !query || strictly_under(name, query->domain); };
  std::vector<std::string> out;
  out.push_back(query ? fresh_child(query->domain, exact) : unlisted_name(domains));
  for (const Host& h : domains) {
    if (!h.wildcard && covered(h.domain)) out.push_back(h.domain);
    if (h.wildcard && (covered(h.domain) || (query && h.domain == query->domain)))
      out.push_back(fresh_child(h.domain, exact));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool relevant(const NetRule& r, const NetQuery& q) {
  return (r.direction == Direction::Any || r.direction == q.direction) && (r.proto == Proto::Any || r.proto == q.proto);
}

// The ports of the query cut at the bounds of the rules that can match requests to `dest`: a rule
// whose hosts exclude the destination decides none of its ports, so only these rules (and the
// proxy endpoint, for its own address) can change the decision from one port to the next.
std::vector<uint16_t> port_points(const Network& net, const NetQuery& q, const NetRequest& dest) {
  const PortRange range = q.port.value_or(PortRange{1, 65535});
  std::set<uint32_t> cuts = {range.low};
  auto cut = [&](uint32_t p) {
    if (p > range.low && p <= range.high) cuts.insert(p);
  };
  for (const NetRule& r : net.rules) {
    if (!relevant(r, q) || !admits_destination(r, dest)) continue;
    for (const PortRange& p : r.ports) {
      cut(p.low);
      cut(uint32_t{p.high} + 1);
    }
  }
  if (net.proxy && dest.dest == NetRequest::Dest::Address && dest.addr == address_of(net.proxy->address)) {
    cut(net.proxy->port);
    cut(uint32_t{net.proxy->port} + 1);
  }
  return {cuts.begin(), cuts.end()};
}

}  // namespace

std::vector<NetRequest> representative_requests(const Network& net, const NetQuery& query) {
  std::vector<NetRequest> dests;
  NetRequest base;
  base.direction = query.direction;
  base.proto = query.proto;
  const bool any_host = !query.host || query.host->kind == HostKind::Any;
  if (query.direction == Direction::Bind) {
    dests.push_back(base);
  } else {
    std::set<Block> blocks;
    std::vector<Host> domains;
    for (const NetRule& r : net.rules) {
      if (!relevant(r, query)) continue;
      for (const Host& h : r.hosts) {
        if (h.kind == HostKind::V4 || h.kind == HostKind::V6) blocks.insert(masked(address_of(h), prefix_of(h)));
        if (h.kind == HostKind::Domain) domains.push_back(h);
      }
    }
    if (net.proxy) blocks.insert({address_of(net.proxy->address), 128});
    const bool addresses = any_host || query.host->kind != HostKind::Domain;
    if (addresses) {
      const Block q = any_host ? Block{} : masked(address_of(*query.host), prefix_of(*query.host));
      for (const IpAddress& a : address_points(q, blocks)) {
        NetRequest r = base;
        r.dest = NetRequest::Dest::Address;
        r.addr = a;
        dests.push_back(r);
      }
    }
    if (any_host || query.host->kind == HostKind::Domain) {
      for (std::string& name : domain_points(domains, any_host ? std::nullopt : query.host)) {
        NetRequest r = base;
        r.dest = NetRequest::Dest::Domain;
        r.domain = std::move(name);
        dests.push_back(r);
      }
    }
  }
  std::vector<NetRequest> out;
  for (const NetRequest& d : dests)
    for (uint16_t port : port_points(net, query, d)) {
      NetRequest r = d;
      r.port = port;
      out.push_back(std::move(r));
    }
  // Lowest port first, so that a failure names the first port that breaks the expectation.
  std::stable_sort(out.begin(), out.end(), [](const NetRequest& a, const NetRequest& b) { return a.port < b.port; });
  return out;
}

}  // namespace polc::ir
