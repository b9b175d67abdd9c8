// Stage: verify. Network assertions (see net_assertions.h).
#include "compiler/verify/net_assertions.h"

#include "compiler/verify/net_domains.h"
#include "compiler/verify/net_encoding.h"
#include "compiler/verify/net_text.h"
#include "compiler/verify/net_witness.h"
#include "compiler/verify/solver.h"

namespace polc::verify {

namespace {

// The query's requests as a shape, for checking simpler counterexamples concretely.
NetShape shape_of(const ir::NetQuery& q) {
  NetShape s;
  s.direction = q.direction;
  s.proto = q.proto;
  s.ports = {q.port ? *q.port : ir::PortRange{1, 65535}};
  s.any_host = !q.host || q.host->kind == ir::HostKind::Any;
  if (s.any_host) return s;
  if (q.host->kind == ir::HostKind::Domain) s.domains = {*q.host};
  else s.blocks = {block_of(*q.host)};
  return s;
}

}  // namespace

AssertionOutcome prove_net(const ir::Policy& policy, const ir::Assertion& assertion) {
  AssertionOutcome out;
  const ir::NetQuery& q = assertion.query.net;
  const NetPolicy net = read_network(policy);
  DomainUniverse universe;
  universe.add_policy(policy);
  if (q.host) universe.add_host(*q.host);
  universe.finish();

  z3::context& ctx = shared_context();
  Query query(ctx);
  const NetEncoder enc(ctx, universe);
  z3::expr region = enc.well_formed() && enc.direction_is(q.direction) && enc.proto_is(q.proto);
  if (q.port) region = region && enc.port_in({*q.port});
  if (q.host) region = region && enc.host_is(*q.host);
  const z3::expr allowed = enc.allowed(net);
  const Answer answer = check_readable(query, enc, region && (assertion.never ? allowed : !allowed));
  out.queries = query.checks();
  if (answer == Answer::Unsat) return out;
  if (answer == Answer::Unknown) {
    out.result = AssertionOutcome::Result::Unknown;
    return out;
  }
  const NetShape asked = shape_of(q);
  WitnessHints hints;
  hints.add(asked);
  hints.add(decide(net, enc.request(query)).deciding);
  const NetRequest witness = simplified(enc.request(query), hints, [&](const NetRequest& r) {
    return matches(asked, r) && decide(net, r).allowed == assertion.never;
  });
  out.result = AssertionOutcome::Result::Fails;
  out.counterexample = request_text(witness);
  // The concrete reading names the deciding rules (and agrees with the formula: tests check it).
  const NetDecision d = decide(net, witness);
  out.decision = d.allowed ? "allowed" : "denied";
  for (const NetShape* s : d.deciding) out.deciding.push_back(s->origin);
  return out;
}

}  // namespace polc::verify
