// Stage: verify. The meaning of the IR's network section, read once into shapes that both a
// concrete evaluator (for witnesses and the deciding rules) and the Z3 encoding share.
//
// A request is (direction connect|bind, protocol tcp|udp, port 1..65535, destination). A connect
// goes to an address or a domain name; a bind has no destination. Addresses live in one 128-bit
// space in which IPv4 a.b.c.d is the IPv4-mapped ::ffff:a.b.c.d: a connect to ::ffff:a.b.c.d from
// an IPv6 socket leaves as an IPv4 packet to a.b.c.d, so the wire (and the nftables backend, with
// its "wire forms") cannot tell the two apart, and neither does the verifier.
//
// The decision: denied if a deny rule matches; else allowed without a `network` section; else
// allowed if an allow rule matches, or if it is `connect tcp` to exactly the proxy's address and
// port and some allow rule names a domain; else denied.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::verify {

// A point of the 128-bit address space (big-endian halves).
struct Addr128 {
  uint64_t hi = 0, lo = 0;
  friend auto operator<=>(const Addr128&, const Addr128&) = default;
};

// An address block of that space: `addr` with every bit below `prefix` cleared.
struct Block {
  Addr128 addr;
  unsigned prefix = 0;  // 0..128
  friend auto operator<=>(const Block&, const Block&) = default;
};

// A V4 host a.b.c.d/n is ::ffff:a.b.c.d/(96+n); a V6 host is itself.
Block block_of(const ir::Host& host);
Addr128 address_of(const ir::Host& host);  // the host's address bytes, unmasked
bool contains(const Block& outer, const Block& inner);
bool contains(const Block& block, const Addr128& addr);
bool intersects(const Block& a, const Block& b);  // blocks are nested or disjoint
// Inside ::ffff:0:0/96: printed as IPv4.
bool is_v4_mapped(const Block& block);

// `pattern` (a Domain host) matches `name`: equal, or for a wildcard a strict subdomain.
bool domain_matches(const ir::Host& pattern, std::string_view name);

// One concrete request: a witness, a counterexample, or a request a test names.
struct NetRequest {
  enum class Dest : uint8_t { None, Address, Domain };
  ir::Direction direction = ir::Direction::Connect;
  ir::Proto proto = ir::Proto::Tcp;
  uint16_t port = 1;
  Dest dest = Dest::None;
  Addr128 addr;        // Dest::Address
  std::string domain;  // Dest::Domain
};

// A rule as the model reads it: every port range merged (never empty: "every port" is 1-65535),
// address hosts as blocks of the one space, domains as written.
struct NetShape {
  const ir::NetRule* rule = nullptr;  // null for the proxy endpoint
  ir::Origin origin;                  // the rule's, or the `proxy` statement's
  ir::Direction direction = ir::Direction::Any;
  ir::Proto proto = ir::Proto::Any;
  std::vector<ir::PortRange> ports;
  bool any_host = true;  // every destination, and binds
  std::vector<Block> blocks;
  std::vector<ir::Host> domains;
  // Within one NetPolicy, shapes with the same (direction, protocol, ports) have the same
  // ports_key, and with the same (direction, protocol, hosts) the same hosts_key: merged_union
  // groups by these numbers instead of comparing lists. 0: not numbered (never grouped).
  uint32_t ports_key = 0, hosts_key = 0;

  bool names_domain() const { return !domains.empty(); }
};

// The implicit metadata deny lists the IPv4-mapped forms beside the IPv4 addresses, and keeps the
// mapped ones when the policy opens the IPv4 address exactly (sema's narrowing works per listed
// address). On the wire a mapped address is its IPv4 address, and the nftables backend writes the
// implicit rule's mapped forms as ip6 addresses that no packet carries: they match nothing there,
// so they match nothing here. (Read literally in the one space, they would deny the IPv4 endpoint
// that `connect tcp 80 to 169.254.169.254` opened, which the backend does let through.) A written
// rule's mapped block matches its IPv4 addresses, as the backend's wire forms do.
NetShape shape_of(const ir::NetRule& rule);

// The network section of one policy, read once.
struct NetPolicy {
  bool present = false;
  std::vector<NetShape> denies;  // written and implicit
  std::vector<NetShape> allows;
  std::optional<NetShape> proxy;  // `connect tcp PORT` to exactly the proxy's address
  bool has_domain_allow = false;  // the proxy endpoint is open only then
};

NetPolicy read_network(const ir::Policy& policy);

bool matches(const NetShape& shape, const NetRequest& request);

// Sorted, overlapping and adjacent ranges joined; empty (every port) is 1-65535.
std::vector<ir::PortRange> merged_ports(std::vector<ir::PortRange> ports);

// Shapes that match exactly the requests some shape of `shapes` matches, fewer where possible:
// shapes (of one NetPolicy) that differ only in their ports become one with both port lists, and
// the others that differ only in their hosts one with both host lists. A policy of 1,000 port
// rules to every host is one shape, so a formula over "any of these rules" stays small.
std::vector<NetShape> merged_union(const std::vector<const NetShape*>& shapes);

// What the policy decides for `request`, and the shapes that decide it, as ir::decide_net: the
// matching deny rules when denied by rules, the matching allow rules when allowed by rules, else
// the proxy endpoint; empty when nothing matched (no network section, or no rule allows it).
struct NetDecision {
  bool allowed = false;
  std::vector<const NetShape*> deciding;
};
NetDecision decide(const NetPolicy& policy, const NetRequest& request);

// Some request matches both shapes. Exact (directions, protocols, ports, blocks and domains are
// compared as sets), so it is also the pre-filter that keeps each solver query to the rules that
// can overlap the one under study.
bool may_overlap(const NetShape& a, const NetShape& b);

}  // namespace polc::verify
