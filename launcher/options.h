// Stage: launcher. The sbx-exec command line.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace polc::launcher {

// How the policy's nftables rules come to govern the payload's network namespace. There is no
// "none": every policy has network deny rules (at least the implicit cloud-metadata deny) that
// only nftables enforces, so the caller must choose one of these explicitly.
enum class NetworkMode {
  NewNamespace,        // --netns: a fresh namespace with only loopback, nftables.nft applied in it
  JoinNamespace,       // --join-netns NAME: /run/netns/NAME, nftables.nft applied there
  EnforcedExternally,  // --network-enforced-externally: the caller vouches nftables.nft is applied
};

const char* network_mode_name(NetworkMode mode);

struct Options {
  std::string bundle;                  // --bundle DIR, as given
  std::optional<NetworkMode> network;  // set when the command line chose a mode
  std::string netns_name;              // --join-netns NAME
  bool dry_run = false;
  // --strict-paths: a Landlock rule path missing on this host (a rule that would grant nothing)
  // refuses the launch instead of being skipped with a warning.
  bool strict_paths = false;
  // --quiet-skipped-paths: no stderr warning per skipped rule path (the audit line still lists them).
  bool quiet_skipped_paths = false;
  bool help = false;
  std::optional<std::string> audit_log;  // --audit-log FILE; stderr when absent
  std::optional<std::string> user;       // --user USER[:GROUP]; the caller's identity when absent
  // Exactly one of these: the trust file the bundle's signatures are checked against, or the
  // development mode that checks none (loudly: a warning on every run, and in the audit line).
  std::optional<std::string> trust;    // --trust FILE
  bool insecure_dev_unsigned = false;  // --insecure-dev-unsigned
  // --keep-fd N (repeatable): descriptors above 2 the payload inherits on purpose; every other one
  // is closed on exec. Distinct, each at least 3.
  std::vector<int> keep_fds;
  std::vector<std::string> command;  // after "--"
  // --events DEST: where the supervisor writes one JSON line per refusal: a file, "-" (stdout) or
  // "fd:N". Absent: refusals are counted and summarized on stderr only.
  std::optional<std::string> events;
  // --exec-in-place: no supervisor, the payload replaces sbx-exec (its exit status is the
  // launcher's); no telemetry, which the audit line says.
  bool exec_in_place = false;
  // --proxy-log FILE: the egress proxy's access log (in the format polc's squid.conf sets), tailed
  // for the proxy's refusals of this run's requests: those from --proxy-client ADDRESS (repeatable),
  // or by default from the addresses of the payload's network namespace.
  std::optional<std::string> proxy_log;
  std::vector<std::string> proxy_clients;
  // --workspace-staging DIR: where the policy's workspaces get their overlays' upper layers (a
  // filesystem that can hold one, not inside a workspace); launcher/os/workspace.h's default when
  // absent.
  std::optional<std::string> workspace_staging;
};

// Parses argv. Throws Failure(Usage) with a one-line reason; `help` short-circuits validation.
Options parse_options(int argc, char** argv);

const char* help_text();

}  // namespace polc::launcher
