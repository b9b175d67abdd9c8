// Stage: launcher. `--user USER[:GROUP]`: the account the payload runs as. Landlock does not
// confine chmod, chown, utimes or connecting to pathname unix sockets, so a payload run as root
// (or as an account that owns files outside the sandbox) can still change what it does not own
// through them; running it as a dedicated user closes that with ordinary permissions.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace polc::launcher {

struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string spec;  // as given, for the audit line
};

// Resolves "name", "uid", "name:group" or "uid:gid" without changing anything (names through the
// passwd and group databases; a user's primary group when no group is given). Throws
// Failure(Usage) for an unknown name, a malformed spec, or uid 0 (which owns every root-owned file
// whatever its capabilities, and Landlock does not confine chmod).
Identity resolve_identity(const std::string& spec);

// Becomes `id`: securebits locked and the bounding set emptied (capabilities.h), supplementary
// groups cleared, then gid, then uid (real, effective and saved), then every other capability set
// emptied; and checks that it took and cannot be undone. Needs CAP_SETPCAP (and
// CAP_SETUID/CAP_SETGID to change ids). Throws Failure(ApplyFailed) on any error: the payload must
// not run as the caller.
void drop_to(const Identity& id);

}  // namespace polc::launcher
