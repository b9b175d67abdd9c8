// Stage: launcher. The supervisor's telemetry sources (telemetry_setup.h).
#include "launcher/telemetry_setup.h"

#include <system_error>

#include "backends/network/nflog_group.h"
#include "launcher/telemetry/nflog_source.h"

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
    t.sources.push_back(std::make_unique<telemetry::NflogSource>(std::move(channel), nullptr));
    t.available.push_back("nflog");
  } catch (const std::system_error& e) {
    t.unavailable.push_back(std::string("nflog: ") + e.what());
  }
}

}  // namespace

std::vector<telemetry::Source*> Telemetry::pointers() const {
  std::vector<telemetry::Source*> out;
  for (const auto& s : sources) out.push_back(s.get());
  return out;
}

Telemetry open_telemetry(const Options& options, const Prepared& p) {
  (void)p;
  Telemetry t;
  open_nflog(options, t);
  return t;
}

}  // namespace polc::launcher
