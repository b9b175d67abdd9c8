// Stage: launcher. The supervisor's telemetry sources (telemetry_setup.h).
#include "launcher/telemetry_setup.h"

#include <system_error>

#include "backends/network/nflog_group.h"
#include "launcher/landlock_uapi.h"
#include "launcher/telemetry/audit_source.h"
#include "launcher/telemetry/nflog_source.h"
#include "launcher/telemetry/proxy_clients.h"
#include "launcher/telemetry/proxy_log_source.h"

namespace polc::launcher {

namespace {

void open_nflog(const Options& options, Telemetry& t) {
  if (*options.network == NetworkMode::EnforcedExternally) {
    t.unavailable.push_back(
        "nflog: --network-enforced-externally: sbx-exec does not apply nftables.nft, so it does not read its log");
    return;
  }
  try {
    auto channel = telemetry::NflogChannel::open(backends::network::kNflogGroup, backends::network::kNflogSnaplen);
    std::shared_ptr<const telemetry::Attributor> attributor = t.attributor;
    telemetry::PrefixAttributor attribute;
    if (attributor)
      attribute = [attributor](telemetry::Event& e, const std::string& prefix) { attributor->attribute(e, prefix); };
    t.sources.push_back(std::make_unique<telemetry::NflogSource>(std::move(channel), std::move(attribute)));
    t.available.push_back("nflog");
  } catch (const std::system_error& e) {
    t.unavailable.push_back(std::string("nflog: ") + e.what());
    t.warnings.push_back(t.unavailable.back());
  }
}

void open_audit(const Prepared& p, Telemetry& t) {
  auto channel = std::make_unique<telemetry::AuditChannel>();
  if (channel->access() == telemetry::AuditAccess::Unavailable) {
    t.unavailable.push_back("audit: " + channel->message());
    t.warnings.push_back(t.unavailable.back());
    return;
  }
  t.audit = true;
  t.available.push_back("audit");
  if (p.kernel_abi < uapi::kLogFlagsAbi && p.plan.any()) {
    // Seccomp's refusals still reach audit; Landlock logs only with the ABI 7 flags.
    t.unavailable.push_back("landlock_log: this kernel's Landlock ABI is " + std::to_string(p.kernel_abi) +
                            ", below 7: its refusals are not logged (Landlock's own logging needs Linux 6.15)");
    t.warnings.push_back(t.unavailable.back());
  }
  std::shared_ptr<const telemetry::Attributor> attributor = t.attributor;
  t.sources.push_back(std::make_unique<telemetry::AuditSource>(std::move(channel), [attributor](telemetry::Event& e) {
    if (attributor) attributor->attribute(e);
  }));
}

void open_proxy_log(const Options& options, const Prepared& p, Telemetry& t) {
  if (!options.proxy_log) return;
  if (!p.proxy) {
    t.unavailable.push_back("proxy_log: the policy names no egress proxy (egress.json has no proxy)");
    t.warnings.push_back(t.unavailable.back());
    return;
  }
  const std::vector<std::string> clients =
      options.proxy_clients.empty() ? telemetry::payload_proxy_clients(p.proxy->address) : options.proxy_clients;
  try {
    std::unique_ptr<telemetry::ProxyLogSource> source = telemetry::ProxyLogSource::open(*options.proxy_log, clients);
    if (t.attributor) source->set_attributor(t.attributor);
    t.sources.push_back(std::move(source));
    t.available.push_back("proxy_log");
  } catch (const std::exception& e) {
    t.unavailable.push_back("proxy_log: " + std::string(e.what()));
    t.warnings.push_back(t.unavailable.back());
  }
}

}  // namespace

std::vector<telemetry::Source*> Telemetry::pointers() const {
  std::vector<telemetry::Source*> out;
  for (const auto& s : sources) out.push_back(s.get());
  return out;
}

Telemetry open_host_telemetry(const Prepared& p) {
  Telemetry t;
  if (p.attribution) {
    t.attributor = std::make_shared<const telemetry::Attributor>(*p.attribution, p.bundle.contents.manifest.coverage);
  } else {
    t.unavailable.push_back(
        "attribution: the bundle has no attribution.json (built by an older polc): events name no statement");
  }
  open_audit(p, t);
  return t;
}

void open_namespace_telemetry(const Options& options, const Prepared& p, Telemetry& t) {
  open_nflog(options, t);
  open_proxy_log(options, p, t);
}

}  // namespace polc::launcher
