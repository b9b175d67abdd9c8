// Stage: backends (shared vocabulary). What a backend reports about the statements it enforces, so
// that the driver can build the coverage map and refuse a build where a statement is enforced by
// no selected artifact.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::backends {

enum class Extent : uint8_t {
  Full,     // the artifact alone enforces everything the statement says
  Partial,  // the artifact enforces part of it (Landlock: a rule's ports but not its addresses)
};

struct Enforcement {
  Enforcement() = default;
  Enforcement(ir::Origin o, std::string a, Extent e, std::string h, std::string p = "")
      : origin(std::move(o)), artifact(std::move(a)), extent(e), how(std::move(h)), part(std::move(p)) {}

  ir::Origin origin;     // the statement (its range identifies it; the module says where it lives)
  std::string artifact;  // the bundle file that enforces it: "nftables.nft", "landlock.json", ...
  Extent extent = Extent::Full;
  std::string how;  // one short line for reviewers: "drops tcp to 10.0.0.0/8 port 25"
  // The part of the statement this covers, when the statement has parts that different artifacts
  // enforce: a network rule naming both addresses and domains has kPartAddresses (nftables) and
  // kPartDomains (the proxy). Empty: the statement as a whole.
  std::string part;
  // The claim is for every syscall statement on the origin's line: syscall rule origins point at
  // one target each (one of `kill @a, @b`), and the coverage map groups them by line.
  bool whole_line = false;
  // A Full claim of Landlock's TCP rules, which see TCP sockets only: it is full only when another
  // selected backend refuses every other socket (BackendOutput::refuses_other_sockets), and
  // partial otherwise.
  bool tcp_sockets_only = false;
};

inline constexpr const char* kPartAddresses = "addresses";
inline constexpr const char* kPartDomains = "domains";

using Enforcements = std::vector<Enforcement>;

}  // namespace polc::backends
