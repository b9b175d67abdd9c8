// Stage: verify. Readable witnesses (see net_witness.h).
#include "compiler/verify/net_witness.h"

#include <algorithm>

namespace polc::verify {

void WitnessHints::add(const NetShape& shape) {
  blocks.insert(blocks.end(), shape.blocks.begin(), shape.blocks.end());
  for (const ir::PortRange& p : shape.ports) ports.push_back(p.low);
}

void WitnessHints::add(const std::vector<const NetShape*>& shapes) {
  for (const NetShape* s : shapes) add(*s);
}

namespace {

// The first address of a block that reads as a host: its network address + 1 (or the address).
Addr128 first_host(const Block& b) { return b.prefix < 128 ? Addr128{b.addr.hi, b.addr.lo | 1} : b.addr; }

// A name `pattern` matches: the name itself, or a fresh child for a wildcard.
std::string name_in(const ir::Host& pattern) { return pattern.wildcard ? "x." + pattern.domain : pattern.domain; }

}  // namespace

std::optional<NetRequest> shared_request(const NetShape& a, const NetShape& b) {
  NetRequest r;
  r.direction = a.direction != ir::Direction::Any   ? a.direction
                : b.direction != ir::Direction::Any ? b.direction
                                                    : ir::Direction::Connect;
  r.proto = a.proto != ir::Proto::Any ? a.proto : b.proto != ir::Proto::Any ? b.proto : ir::Proto::Tcp;
  bool port = false;
  for (const ir::PortRange& x : a.ports)
    for (const ir::PortRange& y : b.ports)
      if (!port && x.low <= y.high && y.low <= x.high) {
        r.port = std::max(x.low, y.low);
        port = true;
      }
  if (!port) return std::nullopt;
  if (r.direction == ir::Direction::Bind) {
    if (!a.any_host || !b.any_host) return std::nullopt;
  } else if (a.any_host && b.any_host) {
    // Any destination will do: 192.0.2.1, from the block reserved for documentation (RFC 5737).
    r.dest = NetRequest::Dest::Address;
    r.addr = {0, 0x0000ffffc0000201ull};
  } else {
    const NetShape& named = a.any_host ? b : a;
    const NetShape& other = a.any_host ? a : b;
    // Blocks are nested or disjoint: the narrower of a shared pair; likewise names.
    for (const Block& x : named.blocks) {
      if (other.any_host) {
        r.dest = NetRequest::Dest::Address;
        r.addr = first_host(x);
        break;
      }
      for (const Block& y : other.blocks)
        if (intersects(x, y)) {
          r.dest = NetRequest::Dest::Address;
          r.addr = first_host(x.prefix >= y.prefix ? x : y);
          break;
        }
      if (r.dest != NetRequest::Dest::None) break;
    }
    for (const ir::Host& x : named.domains) {
      if (r.dest != NetRequest::Dest::None) break;
      if (other.any_host) {
        r.dest = NetRequest::Dest::Domain;
        r.domain = name_in(x);
        break;
      }
      for (const ir::Host& y : other.domains) {
        const std::string name = !x.wildcard                          ? x.domain
                                 : !y.wildcard                        ? y.domain
                                 : x.domain.size() >= y.domain.size() ? name_in(x)
                                                                      : name_in(y);
        if (domain_matches(x, name) && domain_matches(y, name)) {
          r.dest = NetRequest::Dest::Domain;
          r.domain = name;
          break;
        }
      }
    }
    if (r.dest == NetRequest::Dest::None) return std::nullopt;
  }
  if (!matches(a, r) || !matches(b, r)) return std::nullopt;
  return r;
}

NetRequest simplified(const NetRequest& w, const WitnessHints& hints,
                      const std::function<bool(const NetRequest&)>& keep) {
  NetRequest out = w;
  if (w.dest == NetRequest::Dest::Address) {
    std::vector<Block> around;
    for (const Block& b : hints.blocks)
      if (contains(b, w.addr)) around.push_back(b);
    // Widest first: its first addresses are the simplest to read.
    std::sort(around.begin(), around.end(), [](const Block& a, const Block& b) { return a.prefix < b.prefix; });
    bool done = false;
    for (const Block& b : around) {
      std::vector<Addr128> candidates;
      if (b.prefix < 128) candidates.push_back({b.addr.hi, b.addr.lo | 1});
      candidates.push_back(b.addr);
      for (const Addr128& a : candidates) {
        NetRequest c = out;
        c.addr = a;
        if (keep(c)) {
          out = c;
          done = true;
          break;
        }
      }
      if (done) break;
    }
  }
  std::vector<uint16_t> ports = hints.ports;
  std::sort(ports.begin(), ports.end());
  for (uint16_t p : ports) {
    if (p >= out.port) break;
    NetRequest c = out;
    c.port = p;
    if (keep(c)) {
      out = c;
      break;
    }
  }
  return out;
}

}  // namespace polc::verify
