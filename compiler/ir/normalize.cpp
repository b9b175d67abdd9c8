// Stage: ir. DNF conversion and canonical ordering.
#include "compiler/ir/normalize.h"

#include <algorithm>
#include <tuple>

#include "compiler/arch/arch.h"

namespace polc::ir {

ArgCmp negate(ArgCmp c) {
  switch (c.op) {
    case CmpOp::Eq: c.op = CmpOp::Ne; break;
    case CmpOp::Ne: c.op = CmpOp::Eq; break;
    case CmpOp::Lt: c.op = CmpOp::Ge; break;
    case CmpOp::Ge: c.op = CmpOp::Lt; break;
    case CmpOp::Le: c.op = CmpOp::Gt; break;
    case CmpOp::Gt: c.op = CmpOp::Le; break;
    case CmpOp::MaskedEq: c.op = CmpOp::MaskedNe; break;
    case CmpOp::MaskedNe: c.op = CmpOp::MaskedEq; break;
  }
  return c;
}

namespace {

// The value of a comparison that is decided by its constants alone at its width (`x < 0`,
// `x <= 0xffffffff` on 32 bits, a masked test of bits outside the mask), or nullopt.
std::optional<bool> trivial(const ArgCmp& c) {
  const uint64_t max = arch::width_mask(c.width);
  switch (c.op) {
    case CmpOp::Lt: return c.value == 0 ? std::optional(false) : std::nullopt;
    case CmpOp::Ge: return c.value == 0 ? std::optional(true) : std::nullopt;
    case CmpOp::Le: return c.value >= max ? std::optional(true) : std::nullopt;
    case CmpOp::Gt: return c.value >= max ? std::optional(false) : std::nullopt;
    case CmpOp::MaskedEq:
      if ((c.value & ~c.mask) != 0) return false;
      return c.mask == 0 ? std::optional(true) : std::nullopt;
    case CmpOp::MaskedNe:
      if ((c.value & ~c.mask) != 0) return true;
      return c.mask == 0 ? std::optional(false) : std::nullopt;
    default: return std::nullopt;
  }
}

// Tightens the plain (unmasked) comparisons of each argument in a clause to one interval: an
// equality, or a lower bound (>=), an upper bound (<=) and the != values inside them. Returns false
// when the clause can never hold (`x < 0x80000000 && x >= 0x80000000`), so it can be dropped.
bool tighten_clause(Clause& c) {
  Clause out;
  for (size_t i = 0; i < c.size();) {
    size_t j = i;
    while (j < c.size() && c[j].arg == c[i].arg && c[j].width == c[i].width) ++j;
    const uint8_t arg = c[i].arg, width = c[i].width;
    const uint64_t max = arch::width_mask(width);
    uint64_t lo = 0, hi = max;
    std::optional<uint64_t> eq;
    std::vector<uint64_t> ne;
    for (size_t k = i; k < j; ++k) {
      const ArgCmp& a = c[k];
      switch (a.op) {
        case CmpOp::Eq:
          if (eq && *eq != a.value) return false;
          eq = a.value;
          break;
        case CmpOp::Ne: ne.push_back(a.value); break;
        case CmpOp::Lt:
          if (a.value == 0) return false;
          hi = std::min(hi, a.value - 1);
          break;
        case CmpOp::Le: hi = std::min(hi, a.value); break;
        case CmpOp::Gt:
          if (a.value >= max) return false;
          lo = std::max(lo, a.value + 1);
          break;
        case CmpOp::Ge: lo = std::max(lo, a.value); break;
        case CmpOp::MaskedEq:
        case CmpOp::MaskedNe: out.push_back(a); break;
      }
    }
    if (lo > hi) return false;
    if (eq) {
      if (*eq < lo || *eq > hi || std::find(ne.begin(), ne.end(), *eq) != ne.end()) return false;
      out.push_back({arg, width, CmpOp::Eq, ~uint64_t{0}, *eq});
    } else {
      if (lo > 0) out.push_back({arg, width, CmpOp::Ge, ~uint64_t{0}, lo});
      if (hi < max) out.push_back({arg, width, CmpOp::Le, ~uint64_t{0}, hi});
      if (lo == hi) {  // a one-value interval is an equality
        out.erase(out.end() - (lo > 0) - (hi < max), out.end());
        if (std::find(ne.begin(), ne.end(), lo) != ne.end()) return false;
        out.push_back({arg, width, CmpOp::Eq, ~uint64_t{0}, lo});
      } else {
        for (uint64_t v : ne)
          if (v >= lo && v <= hi) out.push_back({arg, width, CmpOp::Ne, ~uint64_t{0}, v});
      }
    }
    i = j;
  }
  c = std::move(out);
  return true;
}

void normalize_clause(Clause& c) {
  std::sort(c.begin(), c.end());
  c.erase(std::unique(c.begin(), c.end()), c.end());
}

void normalize_dnf(std::vector<Clause>& d) {
  for (auto& c : d) normalize_clause(c);
  d.erase(std::remove_if(d.begin(), d.end(), [](Clause& c) { return !tighten_clause(c); }), d.end());
  for (auto& c : d) normalize_clause(c);
  std::sort(d.begin(), d.end());
  d.erase(std::unique(d.begin(), d.end()), d.end());
  // An empty clause is "true": it absorbs every other clause.
  if (std::any_of(d.begin(), d.end(), [](const Clause& c) { return c.empty(); })) d = {Clause{}};
}

// `negated` carries a pending Not down the tree (De Morgan), so no Not node survives.
std::optional<std::vector<Clause>> dnf(const BoolExpr& e, bool negated, size_t max) {
  using K = BoolExpr::Kind;
  switch (e.kind) {
    case K::True: return negated ? std::vector<Clause>{} : std::vector<Clause>{Clause{}};
    case K::False: return negated ? std::vector<Clause>{Clause{}} : std::vector<Clause>{};
    case K::Cmp: {
      const ArgCmp c = negated ? negate(e.cmp) : e.cmp;
      if (auto t = trivial(c)) return *t ? std::vector<Clause>{Clause{}} : std::vector<Clause>{};
      return std::vector<Clause>{Clause{c}};
    }
    case K::Not: return dnf(e.kids.at(0), !negated, max);
    case K::And:
    case K::Or: {
      const bool is_or = (e.kind == K::Or) != negated;
      std::vector<Clause> acc = is_or ? std::vector<Clause>{} : std::vector<Clause>{Clause{}};
      for (const BoolExpr& k : e.kids) {
        auto sub = dnf(k, negated, max);
        if (!sub) return std::nullopt;
        if (is_or) {
          acc.insert(acc.end(), sub->begin(), sub->end());
        } else {
          if (acc.size() * sub->size() > max) return std::nullopt;
          std::vector<Clause> product;
          product.reserve(acc.size() * sub->size());
          for (const Clause& a : acc)
            for (const Clause& b : *sub) {
              Clause c = a;
              c.insert(c.end(), b.begin(), b.end());
              product.push_back(std::move(c));
            }
          acc = std::move(product);
        }
        normalize_dnf(acc);
        if (acc.size() > max) return std::nullopt;
      }
      return acc;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<Clause>> to_dnf(const BoolExpr& e, size_t max_clauses) {
  auto out = dnf(e, false, max_clauses);
  if (out) normalize_dnf(*out);
  return out;
}

namespace {

auto origin_key(const Origin& o) { return std::tie(o.module, o.range.file, o.range.begin); }

// Sorts rules by what they mean (`key`), then merges rules that mean the same thing (one group
// allowed by two modules, a module reached along two import paths) into one rule that lists all
// their origins.
template <typename Rule, typename Key>
void merge_rules(std::vector<Rule>& rules, Key key) {
  std::stable_sort(rules.begin(), rules.end(), [&](const Rule& a, const Rule& b) { return key(a) < key(b); });
  std::vector<Rule> out;
  out.reserve(rules.size());
  for (Rule& r : rules) {
    if (!out.empty() && key(out.back()) == key(r)) {
      out.back().origins.insert(out.back().origins.end(), r.origins.begin(), r.origins.end());
    } else {
      out.push_back(std::move(r));
    }
  }
  for (Rule& r : out) {
    std::sort(r.origins.begin(), r.origins.end(),
              [](const Origin& a, const Origin& b) { return origin_key(a) < origin_key(b); });
    r.origins.erase(std::unique(r.origins.begin(), r.origins.end()), r.origins.end());
  }
  rules = std::move(out);
}

}  // namespace

void canonicalize(Policy& p) {
  // Keys are std::tie tuples of references: these sorts run over thousands of rules with vector
  // members, which must not be copied per comparison.
  for (ArchFilter& af : p.syscalls.arches)
    merge_rules(af.rules, [](const SyscallRule& r) { return std::tie(r.nr, r.action.kind, r.action.data, r.when); });
  merge_rules(p.filesystem.rules, [](const FsRule& r) { return std::tie(r.path, r.deny, r.rights); });
  auto& net = p.network.rules;
  std::stable_sort(net.begin(), net.end(), [&](const NetRule& a, const NetRule& b) {
    const bool allow_a = !a.deny, allow_b = !b.deny;
    return std::tie(allow_a, a.implicit, a.origin.module, a.origin.range.file, a.origin.range.begin, a.hosts) <
           std::tie(allow_b, b.implicit, b.origin.module, b.origin.range.file, b.origin.range.begin, b.hosts);
  });
  net.erase(std::unique(net.begin(), net.end(),
                        [](const NetRule& a, const NetRule& b) {
                          return a.deny == b.deny && a.implicit == b.implicit && a.direction == b.direction &&
                                 a.proto == b.proto && a.ports == b.ports && a.hosts == b.hosts && a.origin == b.origin;
                        }),
            net.end());
  std::sort(p.modules.begin(), p.modules.end());
  p.modules.erase(std::unique(p.modules.begin(), p.modules.end()), p.modules.end());
}

}  // namespace polc::ir
