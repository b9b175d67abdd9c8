// Stage: learn. The .sbx rule that allows one observation, for `polc learn --against` patches and
// reports: `allow socket(domain == AF_INET, type & 0xf == SOCK_STREAM, protocol == 0)`,
// `read_file "/usr/share/foo"`, `make_reg "/tmp"`, `connect tcp 8080 to 127.0.0.1`.
//
// What each event becomes:
// - Call: `allow NAME` or `allow NAME(conditions)` in syscalls, conditions as the draft writes them
//   for that one call (call_conditions.h). nullopt when the recorder had no name for the number.
// - FileAccess: `RIGHT "PATH"` in filesystem, with the one fine right observed; make_*, remove_*
//   and refer name the parent directory (where Landlock checks them). nullopt when the path (or
//   its parent) is unrepresentable (path_text.h) or the right is not a Landlock right. A
//   sensitive path (sensitive_paths.h) still gets its rule, with a comment saying so: whether to
//   grant it is the caller's decision.
// - Exec: `execute "PATH"` in filesystem (the recorder also reports it as a FileAccess).
// - Endpoint tcp/udp: Connect and Send -> `connect PROTO PORT to ADDRESS`, Bind -> `bind PROTO PORT`
//   in network. nullopt for port 0 (an ephemeral bind, or nothing a rule can name), for an address
//   that does not parse (a scoped IPv6 "fe80::1%eth0"), and for unix sockets: Landlock grants no
//   right for connecting to a socket by path (a bind is recorded as make_sock on the path) and an
//   abstract socket can only be confined by `landlock scope`, not allowed one by one.
// - NameLookup: nullopt. The lookup itself is a udp 53 Endpoint; a domain becomes a rule only
//   with the port of a connection made to it, which the draft decides across events.
// `comment` says where the rule came from ("12 calls, runs 1,2"; "refused with EPERM" when the
// run was judged), and the Landlock ABI a fine right needs beyond 1.
#pragma once

#include <optional>
#include <string>

#include "compiler/learn/recording.h"

namespace polc::learn {

struct RuleText {
  enum class Section { Syscalls, Filesystem, Network } section;
  std::string text;     // one statement, formatted as polc fmt prints it
  std::string comment;  // without the leading "# "
};

std::optional<RuleText> rule_for(const Event& e, const Seen& seen);

// "12 calls, runs 1,2" from the unit "call" (pluralized: "access" -> "accesses").
std::string seen_text(const Seen& seen, std::string_view unit);

}  // namespace polc::learn
