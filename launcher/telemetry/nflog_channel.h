// Stage: launcher telemetry. The nftables source of events: a NETLINK_NETFILTER socket bound to
// the nfnetlink_log group that polc's nftables.nft logs every refused packet to
// (backends/network/nflog_group.h). nfnetlink_log is per network namespace: the supervisor opens
// the channel after entering the payload's namespace (or with it as the current one), before the
// payload runs. Raw netlink, no libnetfilter_log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "compiler/posix/unique_fd.h"
#include "launcher/telemetry/nflog_packet.h"

namespace polc::telemetry {

// What the channel could not deliver. The kernel drops a batch when the socket's receive buffer is
// full and tells the reader only that it happened (ENOBUFS); the instance's sequence numbers say
// how many packets were in what was dropped.
struct NflogLosses {
  uint64_t overruns = 0;     // ENOBUFS from recv: at least one batch of packets lost each time
  uint64_t seq_missing = 0;  // packets missing by NFULA_SEQ gaps (counts what the overruns lost)
  uint64_t malformed = 0;    // messages that could not be parsed
  uint64_t foreign = 0;      // datagrams not sent by the kernel, ignored
};

class NflogChannel {
 public:
  // Opens the socket in the calling thread's current network namespace (it stays that namespace's
  // after the caller setns()es elsewhere), binds it to `group`, asks
  // for the first `copy_range` bytes of each packet, sequence numbers and prompt delivery, and waits
  // (at most about a second) for the kernel to acknowledge. Throws std::system_error naming the
  // step that failed: no CAP_NET_ADMIN (EPERM), another listener on the group (EBUSY), no
  // nfnetlink_log in the kernel.
  static NflogChannel open(uint16_t group, uint32_t copy_range = 128);

  // Non-blocking; readable when packets are waiting. For poll().
  int fd() const { return fd_.get(); }

  // Drains what is waiting, at most `max_datagrams` receives (each up to a batch of packets), and
  // never blocks. The caller polls again when it may have left some.
  std::vector<NflogPacket> read_available(size_t max_datagrams = 64);

  const NflogLosses& losses() const { return losses_; }
  // Total packets known to be lost (sequence gaps); 0 with overruns > 0 means unknown.
  uint64_t lost_packets() const { return losses_.seq_missing; }

 private:
  explicit NflogChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  void account(NflogPacket& packet);
  void take(const NflogDatagram& datagram, std::vector<NflogPacket>& out);

  UniqueFd fd_;
  NflogLosses losses_;
  uint32_t next_seq_ = 0;             // the instance numbers its packets from 0
  std::vector<NflogPacket> pending_;  // packets that arrived while open() waited for its ACK
};

}  // namespace polc::telemetry
