// Stage: launcher. Error texts shared by every step.
#include "launcher/errors.h"

#include <cstring>

namespace polc::launcher {

std::string errno_text(int err) {
  std::string text = std::strerror(err);
  if (const char* name = strerrorname_np(err)) {
    text += " (";
    text += name;
    text += ")";
  }
  return text;
}

const char* exit_code_table() {
  return "  120  usage: the command line is invalid\n"
         "  121  bundle invalid or not trusted: manifest or file missing, malformed, tampered (size or\n"
         "       SHA-256) or unlisted, no seccomp program for this architecture; with --trust: the\n"
         "       trust file unreadable, unsafe or malformed, too few valid trusted signatures, a bad or\n"
         "       unknown signature, expired, version below min_version\n"
         "  122  the kernel lacks a required feature (Landlock ABI below min_abi or below a layer\n"
         "       that is not best effort, no seccomp; for the OS layer: no user namespace for a caller\n"
         "       that is not root, a cgroup controller a limit needs, overlayfs for a workspace)\n"
         "  123  a confinement layer could not be applied (namespaces, mounts, workspaces, cgroup\n"
         "       limits, rlimits, no_new_privs, Landlock, seccomp)\n"
         "  124  network setup failed (namespace, loopback, nftables)\n"
         "  125  the audit line could not be written\n"
         "  126  the command cannot be executed\n"
         "  127  the command was not found\n"
         "  any other: the command's own exit status (it replaces sbx-exec; 128+N: killed by signal N)\n";
}

}  // namespace polc::launcher
