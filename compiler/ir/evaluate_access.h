// Stage: ir. The concrete meaning of a policy's filesystem and network sections: what they decide
// for one path and right, or for one connection or bind. Like `decide` (evaluate.h) for syscalls,
// this is the reference the tests of a policy are evaluated against, so it follows the IR's
// definitions literally and shares no code with the backends.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/ir/landlock_names.h"  // fs_right_name

namespace polc::ir {

// ---- filesystem ----

// A rule on `rule_path` covers `path` (both absolute and normal): the path itself and everything
// beneath it. "/usr" covers "/usr" and "/usr/lib", not "/usrx".
bool beneath(std::string_view path, std::string_view rule_path);

struct FsDecision {
  bool allowed = true;
  // Why: no filesystem section (nothing is restricted), a right the policy's Landlock ABI does not
  // restrict, a deny rule, a grant, or no grant.
  enum class Reason : uint8_t { NoSection, Unhandled, Denied, Granted, NotGranted } reason = Reason::NoSection;
  // The statements that decide: the deny rules (Denied), the allow rules (Granted), or the
  // `landlock abi` statement, which restricts every right of its ABI that no rule grants
  // (NotGranted) and no right beyond it (Unhandled). Empty for NoSection.
  std::vector<Origin> deciding;
};

// What the section decides for one right (a single fs_right bit) on `path` (absolute, normal): a
// deny rule covering the path with that right wins; otherwise a covering allow rule grants it.
FsDecision decide_fs(const Filesystem& fs, std::string_view path, uint64_t right);

// ---- network ----

// Addresses live in one 128-bit space where IPv4 a.b.c.d is the IPv4-mapped ::ffff:a.b.c.d: a
// connect to ::ffff:a.b.c.d from an IPv6 socket leaves as an IPv4 packet to a.b.c.d, so the wire
// (and the nftables backend, with its "wire forms") cannot tell them apart.
using IpAddress = std::array<uint8_t, 16>;

// A V4 or V6 host's address bytes in that space (not masked to its prefix).
IpAddress address_of(const Host& host);
// The host's prefix in that space: a V4 a.b.c.d/n is ::ffff:a.b.c.d/(96+n).
unsigned prefix_of(const Host& host);
bool in_block(const IpAddress& addr, const IpAddress& block, unsigned prefix);
// IPv4-mapped addresses as IPv4 ("10.0.0.1"), others as IPv6 ("fd00::1").
std::string address_text(const IpAddress& addr);

// A Domain host matches `name`: the same name, or, for a wildcard, every strict subdomain.
bool domain_matches(const Host& pattern, std::string_view name);

// One concrete request. A connect goes to an address or a domain name; a bind has no destination.
struct NetRequest {
  enum class Dest : uint8_t { None, Address, Domain };
  Direction direction = Direction::Connect;
  Proto proto = Proto::Tcp;
  uint16_t port = 1;
  Dest dest = Dest::None;
  IpAddress addr{};    // Dest::Address
  std::string domain;  // Dest::Domain
};

// As a policy writes it: `connect tcp 443 to "pypi.org"`, `connect udp 53 to 10.0.0.2`, `bind tcp 22`.
std::string request_text(const NetRequest& r);

// The rule's direction, protocol, ports and hosts all admit the request. Empty hosts admit every
// destination; a rule that names hosts never admits a bind. The implicit metadata deny's
// IPv4-mapped addresses admit nothing: sema lists them beside the IPv4 ones and narrows only the
// IPv4 ones when the policy opens an endpoint, and nftables writes them as IPv6 addresses that no
// packet carries, so (read in the one address space) they would refuse what the policy opened.
bool matches(const NetRule& rule, const NetRequest& request);
// The hosts part of `matches` alone: whatever the direction, protocol and port.
bool admits_destination(const NetRule& rule, const NetRequest& request);

struct NetDecision {
  bool allowed = false;
  // Why: a deny rule (which always wins), no network section, an allow rule, the proxy endpoint
  // (open when some allow rule names a domain), or no allow rule.
  enum class Reason : uint8_t { Denied, NoSection, Allowed, Proxy, NotAllowed } reason = Reason::NotAllowed;
  // Every matching deny rule (Denied), every matching allow rule (Allowed), the `proxy` statement
  // (Proxy); empty otherwise.
  std::vector<Origin> deciding;
};

NetDecision decide_net(const Network& net, const NetRequest& request);

// The proxy endpoint is reachable: the policy names a proxy and some allow rule names a domain
// (nftables opens the proxy only for domain rules).
bool proxy_open(const Network& net);

}  // namespace polc::ir
