// Unit tests of IR normalization: DNF conversion and canonical ordering.
#include <doctest/doctest.h>

#include "compiler/ir/json.h"
#include "compiler/ir/normalize.h"

using namespace polc::ir;

namespace {
ArgCmp eq(uint8_t arg, uint64_t v) { return {arg, 64, CmpOp::Eq, ~uint64_t{0}, v}; }
}  // namespace

TEST_CASE("DNF of constants") {
  CHECK(to_dnf(BoolExpr::truth(), 8) == std::vector<Clause>{Clause{}});
  CHECK(to_dnf(BoolExpr::falsity(), 8) == std::vector<Clause>{});
  CHECK(to_dnf(BoolExpr::negate(BoolExpr::truth()), 8) == std::vector<Clause>{});
}

TEST_CASE("DNF distributes and over or and pushes negation down") {
  // (a0==1 || a0==2) && !(a1==3)  ->  (a0==1 && a1!=3) || (a0==2 && a1!=3)
  const BoolExpr e = BoolExpr::all({BoolExpr::any({BoolExpr::compare(eq(0, 1)), BoolExpr::compare(eq(0, 2))}),
                                    BoolExpr::negate(BoolExpr::compare(eq(1, 3)))});
  auto d = to_dnf(e, 16);
  REQUIRE(d);
  REQUIRE(d->size() == 2);
  for (const Clause& c : *d) {
    REQUIRE(c.size() == 2);
    CHECK(c[1].op == CmpOp::Ne);
  }
  // !(x || y) == !x && !y
  auto n = to_dnf(BoolExpr::negate(BoolExpr::any({BoolExpr::compare(eq(0, 1)), BoolExpr::compare(eq(0, 2))})), 16);
  REQUIRE(n);
  REQUIRE(n->size() == 1);
  CHECK(n->at(0).size() == 2);
}

TEST_CASE("DNF removes duplicates and lets an empty clause absorb the rest") {
  auto d = to_dnf(BoolExpr::any({BoolExpr::compare(eq(0, 1)), BoolExpr::compare(eq(0, 1))}), 8);
  REQUIRE(d);
  CHECK(d->size() == 1);
  auto t = to_dnf(BoolExpr::any({BoolExpr::compare(eq(0, 1)), BoolExpr::truth()}), 8);
  REQUIRE(t);
  CHECK(*t == std::vector<Clause>{Clause{}});
}

TEST_CASE("DNF refuses to blow up past the limit") {
  std::vector<BoolExpr> conj;
  // Masked bit tests never contradict each other, so 12 two-way choices really give 4096 clauses.
  auto bit_set = [](uint8_t arg, unsigned b) {
    return BoolExpr::compare({arg, 64, CmpOp::MaskedEq, uint64_t{1} << b, uint64_t{1} << b});
  };
  for (uint8_t i = 0; i < 12; ++i) conj.push_back(BoolExpr::any({bit_set(i % 6, i), bit_set(i % 6, i + 20)}));
  CHECK(!to_dnf(BoolExpr::all(conj), 1024));
}

TEST_CASE("negate is an involution on every operator") {
  for (CmpOp op :
       {CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge, CmpOp::MaskedEq, CmpOp::MaskedNe}) {
    ArgCmp c{0, 32, op, 0xff, 1};
    CHECK(negate(negate(c)) == c);
    CHECK(negate(c).op != op);
  }
}

TEST_CASE("action precedence follows the kernel") {
  CHECK(more_restrictive({ActionKind::KillProcess, 0}, {ActionKind::KillThread, 0}));
  CHECK(more_restrictive({ActionKind::Trap, 0}, {ActionKind::Errno, 1}));
  CHECK(more_restrictive({ActionKind::Errno, 1}, {ActionKind::UserNotif, 0}));
  CHECK(more_restrictive({ActionKind::UserNotif, 0}, {ActionKind::Trace, 0}));
  CHECK(more_restrictive({ActionKind::Trace, 0}, {ActionKind::Log, 0}));
  CHECK(more_restrictive({ActionKind::Log, 0}, {ActionKind::Allow, 0}));
  CHECK(more_restrictive({ActionKind::Errno, 1}, {ActionKind::Errno, 13}));
  CHECK(!more_restrictive({ActionKind::Allow, 0}, {ActionKind::Allow, 0}));
}

TEST_CASE("canonicalize sorts rules and merges those that mean the same") {
  Policy p;
  ArchFilter f;
  Origin o;
  o.where = "x:1";
  Origin o2;
  o2.where = "y:2";
  o2.range.begin = 5;
  f.rules.push_back({"write", 1, {ActionKind::Allow, 0}, {Clause{}}, {o}});
  f.rules.push_back({"read", 0, {ActionKind::Allow, 0}, {Clause{}}, {o}});
  f.rules.push_back({"write", 1, {ActionKind::Allow, 0}, {Clause{}}, {o2}});
  f.rules.push_back({"write", 1, {ActionKind::Allow, 0}, {Clause{}}, {o}});
  p.syscalls.arches.push_back(f);
  p.modules = {"std.b", "std.a", "std.b"};
  canonicalize(p);
  REQUIRE(p.syscalls.arches[0].rules.size() == 2);
  CHECK(p.syscalls.arches[0].rules[0].syscall == "read");
  // the three writes are one rule with both of their (distinct) origins
  CHECK(p.syscalls.arches[0].rules[1].origins.size() == 2);
  CHECK(p.modules == std::vector<std::string>{"std.a", "std.b"});
}

TEST_CASE("hosts print in their canonical text form") {
  Host v4;
  v4.kind = HostKind::V4;
  v4.addr = {10, 20, 0, 0};
  v4.prefix = 16;
  CHECK(host_to_string(v4) == "10.20.0.0/16");
  Host d;
  d.kind = HostKind::Domain;
  d.domain = "example.org";
  d.wildcard = true;
  CHECK(host_to_string(d) == "*.example.org");
  CHECK(host_to_string(Host{}) == "any");
}

TEST_CASE("clauses are tightened to intervals and impossible ones dropped") {
  auto cmp = [](CmpOp op, uint64_t v) { return BoolExpr::compare({0, 32, op, ~uint64_t{0}, v}); };
  // x < 0x80000000 && x >= 0x80000000 can never hold
  auto none = to_dnf(BoolExpr::all({cmp(CmpOp::Lt, 0x80000000), cmp(CmpOp::Ge, 0x80000000)}), 8);
  REQUIRE(none);
  CHECK(none->empty());
  // x < 0x80000000 && x <= 2  ->  x <= 2
  auto tight = to_dnf(BoolExpr::all({cmp(CmpOp::Lt, 0x80000000), cmp(CmpOp::Le, 2)}), 8);
  REQUIRE(tight);
  REQUIRE(tight->size() == 1);
  CHECK(tight->at(0) == Clause{{0, 32, CmpOp::Le, ~uint64_t{0}, 2}});
  // x >= 5 && x <= 5  ->  x == 5;  x == 5 && x != 5  -> nothing
  auto one = to_dnf(BoolExpr::all({cmp(CmpOp::Ge, 5), cmp(CmpOp::Le, 5)}), 8);
  REQUIRE(one);
  CHECK(one->at(0) == Clause{{0, 32, CmpOp::Eq, ~uint64_t{0}, 5}});
  auto contradiction = to_dnf(BoolExpr::all({cmp(CmpOp::Eq, 5), cmp(CmpOp::Ne, 5)}), 8);
  REQUIRE(contradiction);
  CHECK(contradiction->empty());
  // != outside the interval is implied and dropped; a masked test is kept as is
  auto ne = to_dnf(
      BoolExpr::all({cmp(CmpOp::Le, 10), cmp(CmpOp::Ne, 20), BoolExpr::compare({0, 32, CmpOp::MaskedEq, 0xf0, 0x10})}),
      8);
  REQUIRE(ne);
  REQUIRE(ne->size() == 1);
  CHECK(ne->at(0).size() == 2);
  // comparisons of different arguments do not interact
  auto two = to_dnf(BoolExpr::all({cmp(CmpOp::Lt, 3), BoolExpr::compare({1, 32, CmpOp::Gt, ~uint64_t{0}, 7})}), 8);
  REQUIRE(two);
  CHECK(two->at(0).size() == 2);
}

TEST_CASE("network directions and protocols print as a policy writes them") {
  CHECK(direction_name(Direction::Connect) == "connect");
  CHECK(direction_name(Direction::Bind) == "bind");
  CHECK(direction_name(Direction::Any) == "any");
  CHECK(proto_name(Proto::Tcp) == "tcp");
  CHECK(proto_name(Proto::Udp) == "udp");
  CHECK(proto_name(Proto::Any) == "any");
}
