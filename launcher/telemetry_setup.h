// Stage: launcher. Opening the supervisor's telemetry sources for one run: the audit channel
// (seccomp and Landlock refusals), nfnetlink_log in the payload's network namespace (nftables),
// the egress proxy's access log. Each source that cannot be opened is named with the reason, said
// once on stderr and in the events, and recorded in the audit line; the run goes on with the rest.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "launcher/options.h"
#include "launcher/prepare.h"
#include "launcher/telemetry/attribution.h"
#include "launcher/telemetry/source.h"

namespace polc::launcher {

struct Telemetry {
  std::vector<std::unique_ptr<telemetry::Source>> sources;
  std::vector<std::string> available;    // source names, as the audit line lists them
  std::vector<std::string> unavailable;  // "SOURCE: why", for the audit line and the events
  // Those of `unavailable` that are not the run's own choice (no privilege, not in the kernel), said
  // on stderr at start; a source the options leave out (nflog without a namespace of sbx-exec's)
  // is only recorded.
  std::vector<std::string> warnings;
  // The audit channel is read: have seccomp and Landlock log every refusal to it. Without a
  // reader the records would only fill the kernel log (or someone else's audit trail).
  bool audit = false;

  // What the sources attribute events with; null without attribution.json.
  std::shared_ptr<const telemetry::Attributor> attributor;

  std::vector<telemetry::Source*> pointers() const;
};

// In two steps, both in the supervisor before the fork (only processes forked after audit is on
// have an audit context). Before the network step, in the host's namespace: the audit channel
// (the kernel sends audit's multicast copies only to sockets of the initial network namespace).
Telemetry open_host_telemetry(const Prepared& p);
// After it, in the payload's namespace: nfnetlink_log (per namespace) and the proxy log (whose
// default clients are that namespace's addresses).
void open_namespace_telemetry(const Options& options, const Prepared& p, Telemetry& t);

}  // namespace polc::launcher
