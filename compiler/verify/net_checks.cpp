// Stage: verify. Network lints (see net_checks.h).
#include "compiler/verify/net_checks.h"

#include <algorithm>
#include <functional>

#include "compiler/verify/net_domains.h"
#include "compiler/verify/net_encoding.h"
#include "compiler/verify/net_index.h"
#include "compiler/verify/net_text.h"
#include "compiler/verify/net_witness.h"
#include "compiler/verify/solver.h"

namespace polc::verify {

namespace {

using diag::Code;

// Rules named in one report, and the queries spent finding their witnesses.
constexpr size_t kMaxNotes = 4;
constexpr size_t kMaxNoteQueries = 12;

std::string rule_ref(const NetShape& s) {
  if (s.rule && s.rule->implicit) return "the implicit cloud-metadata deny";
  return "`" + shape_text(s) + "`";
}

std::vector<const NetShape*> filtered(const std::vector<NetShape>& shapes, const std::function<bool(size_t)>& keep) {
  std::vector<const NetShape*> out;
  for (size_t i = 0; i < shapes.size(); ++i)
    if (keep(i)) out.push_back(&shapes[i]);
  return out;
}

class NetChecker {
 public:
  NetChecker(const NetPolicy& net, const DomainUniverse& universe, diag::Engine& engine, Work& work)
      : net_(net),
        engine_(engine),
        work_(work),
        ctx_(shared_context()),
        query_(ctx_),
        enc_(ctx_, universe),
        deny_index_(all_of(net.denies)),
        allow_index_(all_of(net.allows)) {}

  void run() {
    dead_.assign(net_.allows.size(), false);
    for (const NetShape& s : net_.allows) standing_domain_allows_ += s.names_domain();
    // Last to first: of two rules that cover each other, the later one (usually the leftover of
    // an edit) is the one reported.
    for (size_t i = net_.allows.size(); i-- > 0;)
      if (net_.allows[i].origin.module.empty()) check(i);
    // A question the pre-check answered counts as the one query it replaced, so the count in a
    // bundle's verdicts does not depend on which of the two answered.
    work_.queries += query_.checks() + prechecked_;
  }

 private:
  Answer ask(const z3::expr& f, bool readable = false) {
    const Answer a = readable ? check_readable(query_, enc_, f) : query_.check(f);
    if (a == Answer::Unknown) ++work_.unknown;
    return a;
  }

  // `i` against the rules that can overlap it. Rules found dead drop out of the others before the
  // next rule is checked, so of two allows that cover each other exactly one is reported, and every
  // reported rule can be removed together without changing any decision.
  void check(size_t i) {
    const NetShape& a = net_.allows[i];
    // `a` is standing while it is checked, so the others are the standing ones less `a`.
    const bool others_name_domain = standing_domain_allows_ - (a.names_domain() ? 1 : 0) > 0;
    // The proxy endpoint is open while some allow names a domain: when `a` is the last one, removing
    // it closes the endpoint, so the endpoint's requests are part of what `a` decides.
    const NetShape* proxy = net_.proxy ? &*net_.proxy : nullptr;
    if (net_.present && decides_concretely(i, proxy && others_name_domain ? proxy : nullptr)) {
      ++prechecked_;
      return;
    }
    const bool keeps_proxy = proxy && a.names_domain() && !others_name_domain;
    auto relevant = [&](const NetShape& s) { return may_overlap(a, s) || (keeps_proxy && may_overlap(*proxy, s)); };
    const auto denies = filtered(net_.denies, [&](size_t j) { return relevant(net_.denies[j]); });
    const auto others =
        filtered(net_.allows, [&](size_t j) { return j != i && !dead_[j] && relevant(net_.allows[j]); });

    const z3::expr wf = enc_.well_formed();
    const z3::expr not_denied = !enc_.any_matches(denies);
    z3::expr with = enc_.matches(a);
    if (keeps_proxy) with = with || enc_.matches(*proxy);
    z3::expr without = enc_.any_matches(others);
    if (proxy && others_name_domain) without = without || enc_.matches(*proxy);
    if (!net_.present) without = ctx_.bool_val(true);
    // A request whose decision depends on `a`: the rule is alive.
    const Answer decides = ask(wf && not_denied && with && !without);
    if (decides != Answer::Unsat) return;

    const auto own_denies = filtered(net_.denies, [&](size_t j) { return may_overlap(a, net_.denies[j]); });
    const z3::expr own = wf && enc_.matches(a);
    // Without an overlapping deny the rule cannot be shadowed (an allow rule always matches some
    // request), so only a dead rule is left to tell from a shadowed one.
    if (!own_denies.empty()) {
      const Answer open = ask(own && !enc_.any_matches(own_denies));
      if (open == Answer::Unknown) return;
      if (open == Answer::Unsat) return report_shadowed(a, own_denies, own);
    }
    dead_[i] = true;
    standing_domain_allows_ -= a.names_domain();
    report_dead(a, others, own && !enc_.any_matches(own_denies), own_denies,
                proxy && others_name_domain ? proxy : nullptr);
  }

  // The exact pre-check: a request of a few read off rule `i` (its first ports, the ends of its
  // first blocks, its first names) that no deny and no other standing allow matches, nor the open
  // proxy endpoint (`proxy`, null when closed without `i`). Such a request is a model of the
  // solver's question below, so `i` decides it and is live; only when none is found is the
  // solver asked. Live rules are the common case, and one query each cost a millisecond (36 s for
  // 20,000 hosts); the lookups read only the rules filed under the request (net_index.h).
  bool decides_concretely(size_t i, const NetShape* proxy) const {
    const NetShape& a = net_.allows[i];
    auto covered = [&](const NetRequest& r) {
      for (const NetShape* s : deny_index_.candidates(r))
        if (matches(*s, r)) return true;
      for (const NetShape* s : allow_index_.candidates(r))
        if (s != &a && !dead_[static_cast<size_t>(s - net_.allows.data())] && matches(*s, r)) return true;
      return proxy && matches(*proxy, r);
    };
    std::vector<NetRequest> dests;  // direction and destination
    auto connect_to = [&](const Addr128& addr) {
      NetRequest r;
      r.dest = NetRequest::Dest::Address;
      r.addr = addr;
      dests.push_back(r);
    };
    if (a.any_host) {
      if (a.direction != ir::Direction::Connect) {
        NetRequest r;
        r.direction = ir::Direction::Bind;
        dests.push_back(r);
      }
      if (a.direction != ir::Direction::Bind) {
        connect_to({0, 0x0000ffffc0000201ull});  // 192.0.2.1, an address for documentation
        NetRequest r;
        r.dest = NetRequest::Dest::Domain;
        r.domain = "unrelated.invalid";
        dests.push_back(r);
      }
    }
    for (size_t k = 0; k < a.blocks.size() && k < 2; ++k) {
      const Block& b = a.blocks[k];
      connect_to(b.addr);
      // The block's last address: all host bits set.
      const unsigned hi_bits = std::min(b.prefix, 64u), lo_bits = b.prefix > 64 ? b.prefix - 64 : 0;
      connect_to({b.addr.hi | (hi_bits >= 64 ? 0 : ~uint64_t{0} >> hi_bits),
                  b.addr.lo | (lo_bits >= 64 ? 0 : ~uint64_t{0} >> lo_bits)});
    }
    for (size_t k = 0; k < a.domains.size() && k < 2; ++k) {
      NetRequest r;
      r.dest = NetRequest::Dest::Domain;
      r.domain = a.domains[k].wildcard ? "x." + a.domains[k].domain : a.domains[k].domain;
      dests.push_back(r);
    }
    std::vector<uint16_t> ports;
    for (const ir::PortRange& p : a.ports) {
      if (ports.size() >= 4) break;
      if (p.low != 0) ports.push_back(p.low);
      if (p.high != p.low && p.high != 0) ports.push_back(p.high);
    }
    for (NetRequest r : dests) {
      for (ir::Proto proto : {ir::Proto::Tcp, ir::Proto::Udp}) {
        if (a.proto != ir::Proto::Any && a.proto != proto) continue;
        r.proto = proto;
        for (uint16_t port : ports) {
          r.port = port;
          if (matches(a, r) && !covered(r)) return true;
        }
      }
    }
    return false;
  }

  void report_shadowed(const NetShape& a, const std::vector<const NetShape*>& denies, const z3::expr& own) {
    auto& d = engine_.report(Code::AllowShadowedByDeny, a.origin.range,
                             "every request this rule allows is refused by deny rules, so it has no effect");
    bool implicit = false;
    add_notes(d, a, denies, own, {}, "refuses it", &implicit);
    d.with_help(implicit ? "a metadata endpoint opens only to a connect rule of the policy that names its address "
                           "exactly (an IPv4-mapped form is the IPv4 address on the wire); otherwise remove this rule"
                         : "narrow the deny rules, or remove this rule");
  }

  void report_dead(const NetShape& a, const std::vector<const NetShape*>& others, const z3::expr& open,
                   const std::vector<const NetShape*>& denies, const NetShape* proxy) {
    auto& d = engine_.report(Code::DeadRule, a.origin.range,
                             "this rule never decides anything: other rules already allow every request it allows "
                             "that deny rules do not refuse");
    std::vector<const NetShape*> covering = others;
    if (proxy && may_overlap(a, *proxy)) covering.push_back(proxy);
    add_notes(d, a, covering, open, denies, "also allows it", nullptr);
    d.with_help("remove the rule, or narrow the rules that cover it if it was meant to decide something");
  }

  // A note at each of `shapes` that shares a request with `region` (the requests of `a` that none
  // of `unless` matches), with that request as witness.
  void add_notes(diag::Diagnostic& d, const NetShape& a, const std::vector<const NetShape*>& shapes,
                 const z3::expr& region, const std::vector<const NetShape*>& unless, const std::string& verb,
                 bool* implicit) {
    size_t shown = 0, asked = 0;
    for (const NetShape* s : shapes) {
      if (shown == kMaxNotes || asked == kMaxNoteQueries) break;
      ++asked;
      auto inside = [&](const NetRequest& r) {
        return matches(a, r) && matches(*s, r) &&
               std::none_of(unless.begin(), unless.end(), [&](const NetShape* u) { return matches(*u, r); });
      };
      // A shared request read off the two rules when it will do, else one from the solver.
      std::optional<NetRequest> found = shared_request(a, *s);
      if (!found || !inside(*found)) {
        found.reset();
        if (ask(region && enc_.matches(*s), true) == Answer::Sat) found = enc_.request(query_);
      }
      if (!found) continue;
      WitnessHints hints;
      hints.add(a);
      hints.add(*s);
      const NetRequest w = simplified(*found, hints, inside);
      const std::string text = (s->rule ? rule_ref(*s) : "the proxy endpoint (" + shape_text(*s) + ")") + " " + verb +
                               ", e.g. " + request_text(w);
      d.note(s->origin.range, text);
      if (implicit && s->rule && s->rule->implicit) *implicit = true;
      ++shown;
    }
    if (shapes.size() > asked) d.note("and " + std::to_string(shapes.size() - asked) + " more rules");
  }

  const NetPolicy& net_;
  diag::Engine& engine_;
  Work& work_;
  z3::context& ctx_;  // the run's shared context (solver.h)
  Query query_;
  NetEncoder enc_;
  NetIndex deny_index_, allow_index_;
  std::vector<bool> dead_;
  size_t standing_domain_allows_ = 0;  // standing allows that name a domain
  uint64_t prechecked_ = 0;            // questions the pre-check answered
};

}  // namespace

Work check_network(const ir::Policy& policy, diag::Engine& engine) {
  Work work;
  const NetPolicy net = read_network(policy);
  if (net.allows.empty()) return work;
  DomainUniverse universe;
  universe.add_policy(policy);
  universe.finish();
  NetChecker(net, universe, engine, work).run();
  return work;
}

}  // namespace polc::verify
