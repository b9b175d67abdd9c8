// Stage: launcher telemetry. The nftables source (nflog_source.h).
#include "launcher/telemetry/nflog_source.h"

namespace polc::telemetry {

void NflogSource::read_available(std::vector<Event>& out) {
  for (NflogPacket& packet : channel_.read_available()) {
    // Packets without polc's prefix were logged by someone else's rule to the same group: not
    // this policy's refusals.
    if (!packet.prefix.starts_with("polc ")) continue;
    if (packet.uid) packet.event.process.uid = *packet.uid;
    if (attribute_) attribute_(packet.event, packet.prefix);
    out.push_back(std::move(packet.event));
  }
}

uint64_t NflogSource::lost() const {
  const NflogLosses& l = channel_.losses();
  return l.seq_missing > 0 ? l.seq_missing : l.overruns;
}

}  // namespace polc::telemetry
