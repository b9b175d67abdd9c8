// Unit tests of E0407: sockets Landlock's TCP rules cannot see (compiler/verify/blind_sockets.h).
// Every verdict is checked against the kernel's rule (sk_is_tcp) applied to concrete calls
// through the IR evaluator, so the Z3 query and the reference cannot drift apart unnoticed.
#include <doctest/doctest.h>

#include "compiler/ir/evaluate.h"
#include "compiler/sema/syscall_table.h"
#include "compiler/verify/blind_sockets.h"
#include "tests/unit/test_support.h"

using namespace polc;

namespace {

std::unique_ptr<test::Compiled> compiled(const std::string& syscalls, const std::string& fs, const std::string& net,
                                         const std::string& targets = "x86_64") {
  auto c = test::compile(test::policy_with(syscalls + "\n" + fs + "\n" + net, targets));
  if (!c->policy) {
    std::string all;
    for (const auto& d : c->engine.diagnostics()) all += d.message + "\n";
    FAIL("the policy did not compile:\n" << all);
  }
  return c;
}

const std::string kLandlock4 = "  filesystem {\n    landlock abi >= 4\n    read \"/usr\"\n  }";
const std::string kLandlock3BestEffort =
    "  filesystem {\n    landlock abi >= 3\n    landlock best_effort network\n    read \"/usr\"\n  }";
const std::string kLandlock3 = "  filesystem {\n    landlock abi >= 3\n    read \"/usr\"\n  }";
const std::string kBind = "  network {\n    bind tcp 8080\n  }";

std::string syscalls(const std::string& rules) { return "  syscalls {\n    default errno(EPERM)\n" + rules + "\n  }"; }

size_t e0407(const test::Compiled& c) {
  size_t n = 0;
  for (const auto& d : c.engine.diagnostics()) n += d.code == diag::Code::LandlockBlindSocket;
  return n;
}

std::optional<verify::BlindSocket> blind(const test::Compiled& c) {
  bool unknown = false;
  uint64_t queries = 0;
  auto found = verify::find_blind_socket(*c.policy, unknown, queries);
  CHECK(!unknown);
  return found;
}

// The kernel's view (net/ipv4/af_inet.c, security/landlock/net.c) of one call: does it make a
// socket that Landlock's TCP rules do not check?
bool kernel_blind(uint64_t domain, uint64_t type, uint64_t protocol) {
  const uint64_t kind = type & 0xf;
  if (domain == 17 || domain == 21 || domain == 43 || domain == 44) return true;
  if (domain != 2 && domain != 10) return false;
  return kind != 2 && !(kind == 1 && (protocol == 0 || protocol == 6));
}

}  // namespace

TEST_CASE("blind sockets: an MPTCP stream socket is E0407 where Landlock enforces the network rules") {
  for (const std::string& fs : {kLandlock4, kLandlock3BestEffort}) {
    auto c =
        compiled(syscalls("    allow socket(domain in {AF_INET, AF_INET6} && type & 0xf in {SOCK_STREAM, SOCK_DGRAM})"),
                 fs, kBind);
    auto found = blind(*c);
    REQUIRE(found);
    CHECK(found->call == "socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)");
    // The check itself, as `polc check` runs it: one error, at the rule, with the deny rule as fix-it.
    diag::Engine& engine = c->engine;
    verify::check_blind_sockets(*c->policy, engine);
    CHECK(e0407(*c) == 1);
    for (const auto& d : engine.diagnostics())
      if (d.code == diag::Code::LandlockBlindSocket) {
        REQUIRE(d.fixits.size() == 1);
        CHECK(d.fixits[0].replacement.find("deny socket(domain in {AF_INET, AF_INET6}") != std::string::npos);
        CHECK(c->sources.line_col(d.range.file, d.range.begin).line == 5);
      }
  }
}

TEST_CASE("blind sockets: TCP and UDP only, with any type flags, is not E0407") {
  auto c = compiled(syscalls("    allow socket(domain in {AF_INET, AF_INET6} && (type & 0xf == SOCK_DGRAM || "
                             "type & 0xf == SOCK_STREAM && protocol in {0, IPPROTO_TCP}))\n"
                             "    allow socket(domain == AF_UNIX)"),
                    kLandlock4, kBind);
  CHECK(!blind(*c));
  // The concrete reference agrees on every call that matters: families, types (with flags) and
  // protocols around the boundaries.
  const int nr = *sema::syscall_number("socket", arch::Arch::x86_64);
  for (uint64_t domain : {1ull, 2ull, 10ull, 16ull, 17ull, 21ull, 43ull, 44ull})
    for (uint64_t kind : {1ull, 2ull, 3ull, 5ull, 6ull})
      for (uint64_t flags : {0x0ull, 0x800ull, 0x80000ull, 0x80800ull})
        for (uint64_t protocol : {0ull, 1ull, 6ull, 17ull, 132ull, 256ull, 262ull, 0x100000006ull}) {
          const auto d = ir::decide(*c->policy, arch::audit_arch(arch::Arch::x86_64), nr,
                                    {domain, kind | flags, protocol, 0, 0, 0});
          const bool runs = d.action.kind >= ir::ActionKind::UserNotif;
          CHECK_MESSAGE(!(runs && kernel_blind(domain, kind | flags, protocol & 0xffffffffu)),
                        "socket(" << domain << ", " << (kind | flags) << ", " << protocol << ")");
        }
}

TEST_CASE("blind sockets: the solver finds what no likely call shows, and the reference agrees") {
  // Only raw IPv6 sockets are left open, none of the calls tried first.
  auto c = compiled(syscalls("    allow socket(domain == AF_INET6 && type & 0xf == SOCK_RAW && protocol == 41)"),
                    kLandlock4, kBind);
  auto found = blind(*c);
  REQUIRE(found);
  CHECK(found->arch == arch::Arch::x86_64);
  CHECK(kernel_blind(found->args[0] & 0xffffffffu, found->args[1] & 0xffffffffu, found->args[2] & 0xffffffffu));
  // A packet socket is blind too.
  auto p = compiled(syscalls("    allow socket(domain == AF_PACKET)"), kLandlock4, kBind);
  REQUIRE(blind(*p));
  CHECK(blind(*p)->call.find("AF_PACKET") != std::string::npos);
}

TEST_CASE("blind sockets: socketcall on x86 creates any socket") {
  auto c = compiled(syscalls("    allow socket(domain == AF_INET && type & 0xf == SOCK_STREAM && protocol == 0)\n"
                             "    allow socketcall"),
                    kLandlock4, kBind, "x86");
  auto found = blind(*c);
  REQUIRE(found);
  CHECK(found->syscall == "socketcall");
}

TEST_CASE("blind sockets: an io_uring ring makes any socket without socket(2)") {
  // IORING_OP_SOCKET reads domain, type and protocol from the submission queue entry, in memory:
  // the socket rule below never sees an MPTCP socket a ring makes. Either io_uring call that runs
  // is a blind socket, on every arch.
  const std::string tcp_only =
      "    allow socket(domain in {AF_INET, AF_INET6} && type & 0xf == SOCK_STREAM && protocol in {0, IPPROTO_TCP})\n";
  for (const std::string& targets : {std::string("x86_64"), std::string("aarch64")}) {
    auto setup = compiled(syscalls(tcp_only + "    allow io_uring_setup, io_uring_enter"), kLandlock4, kBind, targets);
    auto found = blind(*setup);
    REQUIRE(found);
    CHECK(found->syscall == "io_uring_setup");
    verify::check_blind_sockets(*setup->policy, setup->engine);
    CHECK(e0407(*setup) == 1);
    for (const auto& d : setup->engine.diagnostics())
      if (d.code == diag::Code::LandlockBlindSocket) {
        REQUIRE(d.fixits.size() == 1);
        CHECK(d.fixits[0].replacement.find("deny io_uring_setup errno(ENOSYS)") != std::string::npos);
      }
    // A ring passed in (an inherited or received descriptor) needs only io_uring_enter.
    auto enter =
        compiled(syscalls(tcp_only + "    deny io_uring_setup errno(ENOSYS)\n    allow io_uring_enter(to_submit > 0)"),
                 kLandlock4, kBind, targets);
    found = blind(*enter);
    REQUIRE(found);
    CHECK(found->syscall == "io_uring_enter");
  }
  // With both refused, as std.hardening does, the TCP-only rule is enough.
  auto closed =
      compiled(syscalls(tcp_only + "    deny io_uring_setup errno(ENOSYS)\n    kill io_uring_enter, io_uring_register"),
               kLandlock4, kBind);
  CHECK(!blind(*closed));
}

TEST_CASE("blind sockets: no E0407 where Landlock does not enforce the network rules") {
  const std::string open = syscalls("    allow socket");
  // No network section, or no Landlock network layer (nftables alone: it sees MPTCP as TCP).
  auto a = compiled(open, kLandlock4, "");
  CHECK(!verify::relies_on_landlock_tcp(*a->policy));
  verify::check_blind_sockets(*a->policy, a->engine);
  CHECK(e0407(*a) == 0);
  auto b = compiled(open, kLandlock3, "  network {\n    connect tcp 443 to 10.0.0.1\n  }");
  CHECK(!verify::relies_on_landlock_tcp(*b->policy));
  verify::check_blind_sockets(*b->policy, b->engine);
  CHECK(e0407(*b) == 0);
  // The same open rule where Landlock enforces them.
  auto d = compiled(open, kLandlock4, kBind);
  CHECK(verify::relies_on_landlock_tcp(*d->policy));
  verify::check_blind_sockets(*d->policy, d->engine);
  CHECK(e0407(*d) == 1);
}
