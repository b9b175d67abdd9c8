// Stage: launcher telemetry. Turns what nfnetlink_log delivers (netlink datagrams of
// NFULNL_MSG_PACKET messages, each a packet that nftables.nft logged before dropping it) into
// events. Pure and bounds-checked: the bytes come from the kernel, but the packet headers inside
// them are whatever the payload sent, and a truncated or malformed message must give no event or
// a partial one, never a read outside the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "launcher/telemetry/event.h"

namespace polc::telemetry {

// One refused packet: the event (layer nftables, decision "drop", the destination; no process:
// nfnetlink_log has no pid) and what only nfnetlink_log knows.
struct NflogPacket {
  Event event;
  // The log statement's prefix without its NUL, e.g. "polc 3 " or "polc default "
  // (backends/network/nflog_group.h says which rule it names). Empty when the message had none.
  std::string prefix;
  // The sending socket's owner, in the reader's user namespace, when the packet had a local socket
  // (every packet the sandbox sends through a socket does; the kernel always includes them then).
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  // The instance's sequence number (NFULA_SEQ), when the reader asked for it (NFULNL_CFG_F_SEQ).
  std::optional<uint32_t> seq;
};

// What the packet bytes (NFULA_PAYLOAD: the IPv4 or IPv6 header onwards) say about the request:
// protocol ("tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6", or the IP protocol number),
// destination address, and the destination port for the protocols that have one. Fields the bytes
// do not reach (a truncated header, a non-first fragment) stay unset.
void parse_ip_packet(const uint8_t* data, size_t len, Request& request);

// One netlink message (nlmsghdr onwards, `len` bytes available). nullopt unless it is a whole,
// well-formed NFULNL_MSG_PACKET message of the nfnetlink_log subsystem; attributes that are cut
// short or too small for their type are ignored. `fallback_time` is used when the message has no
// NFULA_TIMESTAMP (locally sent packets usually have none).
std::optional<NflogPacket> parse_nflog_message(const uint8_t* data, size_t len, const std::string& fallback_time);

// What a datagram held besides packets.
struct NflogDatagram {
  std::vector<NflogPacket> packets;
  size_t malformed = 0;  // nfnetlink_log packet messages that could not be parsed, and garbage
  // NLMSG_ERROR replies to the reader's requests: (sequence number, error; 0 is an ACK).
  std::vector<std::pair<uint32_t, int>> replies;
};

// Every message of one datagram (the kernel batches several packets into one, NLM_F_MULTI and a
// closing NLMSG_DONE). Walks nlmsg_len with bounds checks; stops at the first message whose length
// is impossible.
NflogDatagram parse_nflog_datagram(const uint8_t* data, size_t len, const std::string& fallback_time);

}  // namespace polc::telemetry
