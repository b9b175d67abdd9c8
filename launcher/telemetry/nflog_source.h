// Stage: launcher telemetry. nftables' refusals as a telemetry source: the packets
// nftables.nft's drops log to nfnetlink_log (nflog_channel.h), attributed by their log prefix.
#pragma once

#include <functional>
#include <string>

#include "launcher/telemetry/nflog_channel.h"
#include "launcher/telemetry/source.h"

namespace polc::telemetry {

// Fills event.rule (and refines event.decision) from the packet's log prefix ("polc 3 ").
using PrefixAttributor = std::function<void(Event& event, const std::string& prefix)>;

class NflogSource : public Source {
 public:
  NflogSource(NflogChannel channel, PrefixAttributor attribute)
      : channel_(std::move(channel)), attribute_(std::move(attribute)) {}

  const char* name() const override { return "nflog"; }
  int fd() const override { return channel_.fd(); }
  void read_available(std::vector<Event>& out) override;
  // Packets the sequence numbers say are missing; an overrun with no gap seen yet counts one.
  uint64_t lost() const override;

 private:
  NflogChannel channel_;
  PrefixAttributor attribute_;
};

}  // namespace polc::telemetry
