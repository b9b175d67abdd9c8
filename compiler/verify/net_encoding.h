// Stage: verify. The network model (net_model.h) in Z3 bit-vectors: one symbolic request, each
// shape's match as a formula over it, and a policy's decision as `allowed`.
//
//   direction  2 bits   1 connect, 2 bind (ir::Direction's values)
//   proto      2 bits   1 tcp, 2 udp (ir::Proto's values)
//   port      16 bits   1..65535; a range is two unsigned comparisons
//   dest       2 bits   0 none (binds), 1 address, 2 domain (connects)
//   addr     128 bits   the one address space; a block is a compare of its top `prefix` bits
//   domain     k bits   the number of a name of the DomainUniverse; a wildcard is one range
//
// Everything is a bit-vector, so every query is decided by bit-blasting, quickly and exactly.
#pragma once

#include <vector>
#include <z3++.h>

#include "compiler/verify/net_domains.h"
#include "compiler/verify/net_model.h"
#include "compiler/verify/solver.h"

namespace polc::verify {

struct NetVars {
  z3::expr direction, proto, port, dest, addr, domain;
};

// Formulas over one symbolic request. The universe must hold every domain the shapes and queries
// name (finished), and outlive the encoder.
class NetEncoder {
 public:
  NetEncoder(z3::context& ctx, const DomainUniverse& universe, const std::string& prefix = "");

  const NetVars& vars() const { return v_; }
  z3::context& ctx() const { return ctx_; }

  // A request that can exist: a known direction and protocol, a port of 1..65535, a destination
  // for connects and none for binds, a domain number inside the universe.
  z3::expr well_formed() const;

  z3::expr direction_is(ir::Direction d) const;
  z3::expr proto_is(ir::Proto p) const;
  z3::expr port_in(const std::vector<ir::PortRange>& ranges) const;
  z3::expr in_block(const Block& block) const;
  z3::expr domain_in(const ir::Host& pattern) const;  // dest is a domain `pattern` matches
  // The destination is `host` (an Any host: any destination).
  z3::expr host_is(const ir::Host& host) const;

  z3::expr matches(const NetShape& shape) const;
  z3::expr any_matches(const std::vector<const NetShape*>& shapes) const;
  // The policy's decision, from the rules `denies` and `allows` (a pre-filtered part of `policy`'s
  // own, when the caller knows the rest cannot match).
  z3::expr allowed(const NetPolicy& policy, const std::vector<const NetShape*>& denies,
                   const std::vector<const NetShape*>& allows) const;
  z3::expr allowed(const NetPolicy& policy) const;

  // Preferred witnesses: an IPv4 address rather than an IPv6 one, when both would do.
  z3::expr readable() const;

  // The request of the last Sat model of `query`.
  NetRequest request(const Query& query) const;

 private:
  z3::context& ctx_;
  const DomainUniverse& universe_;
  NetVars v_;
};

// Asks `formula` preferring a readable witness: first with `readable()`, then without it.
Answer check_readable(Query& query, const NetEncoder& enc, const z3::expr& formula);

// Every shape of `policy`, as pointers (denies, allows).
std::vector<const NetShape*> all_of(const std::vector<NetShape>& shapes);

}  // namespace polc::verify
