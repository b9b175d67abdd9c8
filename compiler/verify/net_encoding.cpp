// Stage: verify. The network model as bit-vector formulas (see net_encoding.h).
#include "compiler/verify/net_encoding.h"

namespace polc::verify {

namespace {

constexpr unsigned kDestNone = 0, kDestAddress = 1, kDestDomain = 2;

}  // namespace

NetEncoder::NetEncoder(z3::context& ctx, const DomainUniverse& universe, const std::string& prefix)
    : ctx_(ctx), universe_(universe), v_{ctx.bv_const((prefix + "direction").c_str(), 2),
                                         ctx.bv_const((prefix + "proto").c_str(), 2),
                                         ctx.bv_const((prefix + "port").c_str(), 16),
                                         ctx.bv_const((prefix + "dest").c_str(), 2),
                                         ctx.bv_const((prefix + "addr").c_str(), 128),
                                         ctx.bv_const((prefix + "domain").c_str(), universe.bits())} {}

z3::expr NetEncoder::well_formed() const {
  const z3::expr connect = direction_is(ir::Direction::Connect);
  const z3::expr bind = direction_is(ir::Direction::Bind);
  const z3::expr dest_ok =
      z3::ite(connect, v_.dest == ctx_.bv_val(kDestAddress, 2) || v_.dest == ctx_.bv_val(kDestDomain, 2),
              v_.dest == ctx_.bv_val(kDestNone, 2));
  const z3::expr domain_ok = v_.dest != ctx_.bv_val(kDestDomain, 2) ||
                             z3::ult(v_.domain, ctx_.bv_val(static_cast<uint64_t>(universe_.size()), universe_.bits()));
  return (connect || bind) && (proto_is(ir::Proto::Tcp) || proto_is(ir::Proto::Udp)) && v_.port != ctx_.bv_val(0, 16) &&
         dest_ok && domain_ok;
}

z3::expr NetEncoder::direction_is(ir::Direction d) const {
  if (d == ir::Direction::Any) return ctx_.bool_val(true);
  return v_.direction == ctx_.bv_val(static_cast<unsigned>(d), 2);
}

z3::expr NetEncoder::proto_is(ir::Proto p) const {
  if (p == ir::Proto::Any) return ctx_.bool_val(true);
  return v_.proto == ctx_.bv_val(static_cast<unsigned>(p), 2);
}

z3::expr NetEncoder::port_in(const std::vector<ir::PortRange>& ranges) const {
  z3::expr_vector any(ctx_);
  for (const ir::PortRange& r : ranges) {
    if (r.low <= 1 && r.high == 65535) return ctx_.bool_val(true);
    if (r.low == r.high) any.push_back(v_.port == ctx_.bv_val(r.low, 16));
    else any.push_back(z3::uge(v_.port, ctx_.bv_val(r.low, 16)) && z3::ule(v_.port, ctx_.bv_val(r.high, 16)));
  }
  return any.empty() ? ctx_.bool_val(false) : z3::mk_or(any);
}

z3::expr NetEncoder::in_block(const Block& b) const {
  const z3::expr is_address = v_.dest == ctx_.bv_val(kDestAddress, 2);
  if (b.prefix == 0) return is_address;
  // The top `prefix` bits of the address against the block's.
  z3::expr value = ctx_.bv_val(b.addr.hi >> (64 - std::min(b.prefix, 64u)), std::min(b.prefix, 64u));
  if (b.prefix > 64) value = z3::concat(value, ctx_.bv_val(b.addr.lo >> (128 - b.prefix), b.prefix - 64));
  return is_address && v_.addr.extract(127, 128 - b.prefix) == value;
}

z3::expr NetEncoder::domain_in(const ir::Host& pattern) const {
  const auto [first, last] = universe_.range(pattern);
  if (first > last) return ctx_.bool_val(false);
  const unsigned k = universe_.bits();
  const z3::expr is_domain = v_.dest == ctx_.bv_val(kDestDomain, 2);
  if (first == last) return is_domain && v_.domain == ctx_.bv_val(first, k);
  return is_domain && z3::uge(v_.domain, ctx_.bv_val(first, k)) && z3::ule(v_.domain, ctx_.bv_val(last, k));
}

z3::expr NetEncoder::host_is(const ir::Host& host) const {
  switch (host.kind) {
    case ir::HostKind::Any: return v_.dest != ctx_.bv_val(kDestNone, 2);
    case ir::HostKind::Domain: return domain_in(host);
    case ir::HostKind::V4:
    case ir::HostKind::V6: return in_block(block_of(host));
  }
  return ctx_.bool_val(false);
}

z3::expr NetEncoder::matches(const NetShape& s) const {
  z3::expr out = direction_is(s.direction) && proto_is(s.proto) && port_in(s.ports);
  if (s.any_host) return out;
  z3::expr_vector hosts(ctx_);
  for (const Block& b : s.blocks) hosts.push_back(in_block(b));
  for (const ir::Host& d : s.domains) hosts.push_back(domain_in(d));
  return hosts.empty() ? ctx_.bool_val(false) : out && z3::mk_or(hosts);
}

z3::expr NetEncoder::any_matches(const std::vector<const NetShape*>& shapes) const {
  z3::expr_vector any(ctx_);
  if (shapes.size() == 1) return matches(*shapes.front());
  for (const NetShape& s : merged_union(shapes)) any.push_back(matches(s));
  return any.empty() ? ctx_.bool_val(false) : z3::mk_or(any);
}

z3::expr NetEncoder::allowed(const NetPolicy& p, const std::vector<const NetShape*>& denies,
                             const std::vector<const NetShape*>& allows) const {
  const z3::expr not_denied = !any_matches(denies);
  if (!p.present) return not_denied;
  z3::expr granted = any_matches(allows);
  if (p.proxy && p.has_domain_allow) granted = granted || matches(*p.proxy);
  return not_denied && granted;
}

z3::expr NetEncoder::allowed(const NetPolicy& p) const { return allowed(p, all_of(p.denies), all_of(p.allows)); }

z3::expr NetEncoder::readable() const {
  return v_.dest != ctx_.bv_val(kDestAddress, 2) || in_block(Block{{0, 0x0000ffff00000000ull}, 96});
}

NetRequest NetEncoder::request(const Query& q) const {
  NetRequest r;
  r.direction = static_cast<ir::Direction>(q.value(v_.direction));
  r.proto = static_cast<ir::Proto>(q.value(v_.proto));
  r.port = static_cast<uint16_t>(q.value(v_.port));
  switch (q.value(v_.dest)) {
    case kDestAddress:
      r.dest = NetRequest::Dest::Address;
      r.addr = {q.value(v_.addr.extract(127, 64)), q.value(v_.addr.extract(63, 0))};
      break;
    case kDestDomain: {
      r.dest = NetRequest::Dest::Domain;
      const uint64_t i = q.value(v_.domain);
      r.domain = i < universe_.size() ? universe_.name(i) : "";
      break;
    }
    default: r.dest = NetRequest::Dest::None; break;
  }
  return r;
}

Answer check_readable(Query& query, const NetEncoder& enc, const z3::expr& formula) {
  const Answer first = query.check(formula && enc.readable());
  if (first != Answer::Unsat) return first;
  return query.check(formula);
}

std::vector<const NetShape*> all_of(const std::vector<NetShape>& shapes) {
  std::vector<const NetShape*> out;
  for (const NetShape& s : shapes) out.push_back(&s);
  return out;
}

}  // namespace polc::verify
