// Stage: launcher. Resolving and becoming the payload's user.
#include "launcher/identity.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "launcher/capabilities.h"
#include "launcher/errors.h"

namespace polc::launcher {

namespace {

std::optional<uint32_t> number(const std::string& s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

[[noreturn]] void bad(const std::string& why) { throw Failure(ExitCode::Usage, "--user: " + why); }

}  // namespace

Identity resolve_identity(const std::string& spec) {
  Identity id;
  id.spec = spec;
  const auto colon = spec.find(':');
  const std::string user = spec.substr(0, colon);
  if (user.empty()) bad("needs a user name or uid");
  std::optional<gid_t> primary;
  if (auto n = number(user)) {
    id.uid = *n;
    if (const passwd* pw = getpwuid(id.uid)) primary = pw->pw_gid;
  } else if (const passwd* pw = getpwnam(user.c_str())) {
    id.uid = pw->pw_uid;
    primary = pw->pw_gid;
  } else {
    bad("no user named '" + user + "'");
  }
  // uid 0 is refused even with every capability cleared: it still owns every root-owned file, and
  // Landlock does not confine chmod, chown to oneself, utimes or user xattrs on a file reached by
  // name. A payload run as uid 0 could set the setuid bit on a root-owned program outside every
  // grant (chmod 4755 on /usr/bin/python3) and so hand root to every local user afterwards.
  if (id.uid == 0)
    bad("uid 0 (" + user +
        ") is refused: without capabilities it still owns every root-owned file, and "
        "Landlock does not stop chmod (setting the setuid bit on a root-owned program); name an account "
        "that owns nothing outside the sandbox");
  if (colon == std::string::npos) {
    if (!primary) bad("uid " + user + " has no passwd entry; give its group as " + user + ":GID");
    id.gid = *primary;
  } else {
    const std::string group = spec.substr(colon + 1);
    if (auto n = number(group)) id.gid = *n;
    else if (const struct group* gr = getgrnam(group.c_str())) id.gid = gr->gr_gid;
    else bad("no group named '" + group + "'");
  }
  return id;
}

void drop_to(const Identity& id) {
  auto fail = [](const std::string& what) { throw Failure(ExitCode::ApplyFailed, what + ": " + errno_text(errno)); };
  // Securebits and the bounding set first: both need CAP_SETPCAP, which is gone afterwards.
  lock_capabilities_before_user_change();
  // Supplementary groups first (that needs privilege), then the gid, then the uid last.
  if (setgroups(1, &id.gid) != 0) fail("setgroups");
  if (setresgid(id.gid, id.gid, id.gid) != 0) fail("setresgid(" + std::to_string(id.gid) + ")");
  if (setresuid(id.uid, id.uid, id.uid) != 0) fail("setresuid(" + std::to_string(id.uid) + ")");
  // Every remaining set emptied; the locked NOROOT bit keeps execve from handing them back
  // (uid 0 was refused above, but the sets are emptied whatever the uid).
  clear_capabilities_after_user_change();
  uid_t r, e, s;
  gid_t rg, eg, sg;
  if (getresuid(&r, &e, &s) != 0 || getresgid(&rg, &eg, &sg) != 0) fail("getresuid");
  if (r != id.uid || e != id.uid || s != id.uid || rg != id.gid || eg != id.gid || sg != id.gid)
    throw Failure(ExitCode::ApplyFailed, "the user change did not take");
  // Without CAP_SETUID and CAP_SETGID no one can take another identity back, root included.
  const uid_t other_uid = id.uid == 0 ? 1 : 0;
  const gid_t other_gid = id.gid == 0 ? 1 : 0;
  if (setresuid(other_uid, other_uid, other_uid) == 0 || setegid(other_gid) == 0)
    throw Failure(ExitCode::ApplyFailed, "the user change can be undone");
}

}  // namespace polc::launcher
