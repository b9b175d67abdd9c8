// Stage: verify. Network differences between two policies (see net_diff.h).
#include "compiler/verify/net_diff.h"

#include <algorithm>
#include <tuple>

#include "compiler/verify/net_domains.h"
#include "compiler/verify/net_encoding.h"
#include "compiler/verify/net_text.h"
#include "compiler/verify/net_witness.h"
#include "compiler/verify/solver.h"

namespace polc::verify {

namespace {

// The one host of a region.
struct RegionHost {
  enum class Kind : uint8_t { None, Any, Block, Domain } kind = Kind::Any;  // None: binds
  Block block;
  ir::Host domain;
};

struct Region {
  ir::Direction direction = ir::Direction::Connect;
  ir::Proto proto = ir::Proto::Tcp;
  std::vector<ir::PortRange> ports;
  RegionHost host;
  bool partial = false;
};

// The widest element of `s`'s hosts that contains the request's destination.
RegionHost host_of(const NetShape* s, const NetRequest& w) {
  RegionHost h;
  if (w.dest == NetRequest::Dest::None) h.kind = RegionHost::Kind::None;
  if (!s || s->any_host || w.dest == NetRequest::Dest::None) return h;
  if (w.dest == NetRequest::Dest::Address) {
    for (const Block& b : s->blocks)
      if (contains(b, w.addr) && (h.kind != RegionHost::Kind::Block || b.prefix < h.block.prefix)) {
        h.kind = RegionHost::Kind::Block;
        h.block = b;
      }
    return h;
  }
  for (const ir::Host& d : s->domains) {
    if (!domain_matches(d, w.domain)) continue;
    const bool wider = h.kind != RegionHost::Kind::Domain || (d.wildcard && !h.domain.wildcard) ||
                       (d.wildcard && h.domain.wildcard && d.domain.size() < h.domain.domain.size());
    if (wider) {
      h.kind = RegionHost::Kind::Domain;
      h.domain = d;
    }
  }
  return h;
}

// Two host elements that share the witness are nested: the narrower one is their intersection.
RegionHost narrower(const RegionHost& a, const RegionHost& b) {
  if (a.kind == RegionHost::Kind::Any) return b;
  if (b.kind == RegionHost::Kind::Any) return a;
  if (a.kind == RegionHost::Kind::Block) return a.block.prefix >= b.block.prefix ? a : b;
  if (a.kind == RegionHost::Kind::Domain) {
    if (!a.domain.wildcard) return a;
    if (!b.domain.wildcard) return b;
    return a.domain.domain.size() >= b.domain.domain.size() ? a : b;
  }
  return a;
}

ir::PortRange range_of(const NetShape* s, uint16_t port) {
  if (s)
    for (const ir::PortRange& p : s->ports)
      if (p.low <= port && port <= p.high) return p;
  return {1, 65535};
}

// The region's requests as a shape, for checking simpler witnesses concretely.
NetShape shape_of(const Region& r) {
  NetShape s;
  s.direction = r.direction;
  s.proto = r.proto;
  s.ports = r.ports;
  s.any_host = r.host.kind == RegionHost::Kind::Any || r.host.kind == RegionHost::Kind::None;
  if (r.host.kind == RegionHost::Kind::Block) s.blocks = {r.host.block};
  if (r.host.kind == RegionHost::Kind::Domain) s.domains = {r.host.domain};
  return s;
}

std::string region_text(const Region& r) {
  std::string out = std::string(ir::direction_name(r.direction)) + " " + std::string(ir::proto_name(r.proto)) + " " +
                    ports_text(r.ports);
  switch (r.host.kind) {
    case RegionHost::Kind::None: break;
    case RegionHost::Kind::Any: out += " to any host"; break;
    case RegionHost::Kind::Block: out += " to " + block_text(r.host.block); break;
    case RegionHost::Kind::Domain:
      out += " to \"" + std::string(r.host.domain.wildcard ? "*." : "") + r.host.domain.domain + "\"";
      break;
  }
  return r.partial ? out + " (partly)" : out;
}

auto sort_key(const Region& r) {
  const std::string domain = r.host.kind == RegionHost::Kind::Domain
                                 ? (r.host.domain.wildcard ? "*." : "") + r.host.domain.domain
                                 : std::string();
  // IPv4 blocks before IPv6 ones, each by address.
  return std::tuple(static_cast<int>(r.direction), static_cast<int>(r.proto), r.ports.front().low,
                    static_cast<int>(r.host.kind), !is_v4_mapped(r.host.block), r.host.block, domain);
}

std::vector<ir::Origin> origins(const NetDecision& d) {
  std::vector<ir::Origin> out;
  for (const NetShape* s : d.deciding) out.push_back(s->origin);
  return out;
}

// Finds the regions that `permits` allows and `refuses` denies.
class DiffSearch {
 public:
  DiffSearch(const NetPolicy& permits, const NetPolicy& refuses, const DomainUniverse& universe, bool widened)
      : permits_(permits),
        refuses_(refuses),
        widened_(widened),
        ctx_(shared_context()),
        query_(ctx_, QueryScope::Own),
        enc_(ctx_, universe) {
    for (const NetPolicy* p : {&permits_, &refuses_}) {
      for (const auto* shapes : {&p->denies, &p->allows})
        for (const NetShape& s : *shapes) add_bounds(s);
      if (p->proxy) add_bounds(*p->proxy);
    }
    std::sort(bounds_.begin(), bounds_.end());
    bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  }

  std::vector<DiffEntry> run() {
    const z3::expr differs = enc_.well_formed() && enc_.allowed(permits_) && !enc_.allowed(refuses_);
    // Requests both refuse by a deny rule: a common carve-out, not a reason to call a region partial.
    const z3::expr both_deny = enc_.any_matches(all_of(permits_.denies)) && enc_.any_matches(all_of(refuses_.denies));
    z3::expr_vector excluded(ctx_);
    std::vector<std::pair<Region, DiffEntry>> found;
    bool more = false, gave_up = false;
    while (true) {
      const z3::expr ask = excluded.empty() ? differs : differs && !z3::mk_or(excluded);
      if (found.size() == kCountedRegions) {
        more = query_.check(ask) != Answer::Unsat;
        break;
      }
      const Answer answer = check_readable(query_, enc_, ask);
      gave_up = answer == Answer::Unknown;
      if (answer != Answer::Sat) break;
      const NetRequest w = enc_.request(query_);
      Region r = generalize(w);
      const z3::expr box = box_of(r);
      r.partial = query_.check(enc_.well_formed() && box && !differs && !both_deny) == Answer::Sat;
      excluded.push_back(box);
      found.emplace_back(r, entry(r, readable(r, w)));
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return sort_key(a.first) < sort_key(b.first); });
    std::vector<DiffEntry> out;
    for (size_t i = 0; i < found.size() && i < kShownRegions; ++i) out.push_back(found[i].second);
    if (found.size() > kShownRegions || more) {
      DiffEntry summary = summary_entry();
      // Counting stopped with one more region known to exist beyond those counted.
      const size_t rest = found.size() - kShownRegions + (more ? 1 : 0);
      summary.region = std::string("and ") + (more ? "at least " : "") + std::to_string(rest) + " more regions";
      out.push_back(summary);
    }
    if (gave_up) {
      // Fail loudly rather than let a reviewer read "nothing else changed".
      DiffEntry summary = summary_entry();
      summary.region = "and possibly more regions: Z3 could not finish the search within its limit";
      out.push_back(summary);
    }
    return out;
  }

 private:
  void add_bounds(const NetShape& s) {
    for (const ir::PortRange& p : s.ports) {
      bounds_.push_back(p.low);
      bounds_.push_back(uint32_t{p.high} + 1);
    }
  }

  bool differs_at(const NetRequest& r) const { return decide(permits_, r).allowed && !decide(refuses_, r).allowed; }

  const NetShape* first_shape(const NetDecision& d) const {
    for (const NetShape* s : d.deciding)
      if (s->rule) return s;
    return d.deciding.empty() ? nullptr : d.deciding.front();
  }

  Region generalize(const NetRequest& w) const {
    Region r;
    r.direction = w.direction;
    r.proto = w.proto;
    const NetShape* grant = first_shape(decide(permits_, w));
    const NetShape* refusal = first_shape(decide(refuses_, w));  // a deny rule, or none (nothing allows it)
    r.host = narrower(host_of(grant, w), host_of(refusal, w));
    const ir::PortRange a = range_of(grant, w.port), b = range_of(refusal, w.port);
    const uint32_t low = std::max(a.low, b.low), high = std::min(a.high, b.high);
    // Within [low, high] the decisions for the witness's destination change only at the bounds of
    // some rule's ports: keep the elementary intervals where it is decided differently.
    uint32_t start = low;
    while (start <= high) {
      const auto next = std::upper_bound(bounds_.begin(), bounds_.end(), start);
      const uint32_t end = std::min<uint32_t>(high, next == bounds_.end() ? 65535 : *next - 1);
      NetRequest probe = w;
      probe.port = static_cast<uint16_t>(start);
      if (differs_at(probe)) {
        if (!r.ports.empty() && uint32_t{r.ports.back().high} + 1 == start)
          r.ports.back().high = static_cast<uint16_t>(end);
        else r.ports.push_back({static_cast<uint16_t>(start), static_cast<uint16_t>(end)});
      }
      start = end + 1;
    }
    return r;
  }

  NetRequest readable(const Region& r, const NetRequest& w) const {
    const NetShape box = shape_of(r);
    WitnessHints hints;
    hints.add(box);
    hints.add(decide(permits_, w).deciding);
    hints.add(decide(refuses_, w).deciding);
    return simplified(w, hints, [&](const NetRequest& c) { return matches(box, c) && differs_at(c); });
  }

  z3::expr box_of(const Region& r) const {
    z3::expr box = enc_.direction_is(r.direction) && enc_.proto_is(r.proto) && enc_.port_in(r.ports);
    switch (r.host.kind) {
      case RegionHost::Kind::None: return box;
      case RegionHost::Kind::Any: return box && enc_.host_is(ir::Host{});
      case RegionHost::Kind::Block: return box && enc_.in_block(r.host.block);
      case RegionHost::Kind::Domain: return box && enc_.domain_in(r.host.domain);
    }
    return box;
  }

  DiffEntry summary_entry() const {
    DiffEntry e;
    e.dimension = DiffEntry::Dimension::Network;
    e.widened = widened_;
    e.old_decision = widened_ ? "denied" : "allowed";
    e.new_decision = widened_ ? "allowed" : "denied";
    return e;
  }

  DiffEntry entry(const Region& r, const NetRequest& w) const {
    DiffEntry e = summary_entry();
    e.region = region_text(r);
    e.witness = request_text(w);
    const std::vector<ir::Origin> permitting = origins(decide(permits_, w));
    const std::vector<ir::Origin> refusing = origins(decide(refuses_, w));
    e.new_rules = widened_ ? permitting : refusing;
    e.old_rules = widened_ ? refusing : permitting;
    return e;
  }

  const NetPolicy& permits_;
  const NetPolicy& refuses_;
  bool widened_;
  std::vector<uint32_t> bounds_;  // port range starts and ends + 1: where a decision may change
  z3::context& ctx_;              // the run's shared context (solver.h)
  Query query_;
  NetEncoder enc_;
};

}  // namespace

std::vector<DiffEntry> diff_network(const ir::Policy& old_policy, const ir::Policy& new_policy) {
  const NetPolicy old_net = read_network(old_policy), new_net = read_network(new_policy);
  DomainUniverse universe;
  universe.add_policy(old_policy);
  universe.add_policy(new_policy);
  universe.finish();
  std::vector<DiffEntry> out = DiffSearch(new_net, old_net, universe, true).run();
  std::vector<DiffEntry> narrowed = DiffSearch(old_net, new_net, universe, false).run();
  out.insert(out.end(), narrowed.begin(), narrowed.end());
  return out;
}

}  // namespace polc::verify
