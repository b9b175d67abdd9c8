// Stage: launcher telemetry. The nfnetlink_log message parser (nflog_packet.h). Every read goes
// through `Bytes`, which checks the offset and length against what is there.
#include "launcher/telemetry/nflog_packet.h"

#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/netlink.h>
#include <time.h>

#include <cstdio>
#include <cstring>

namespace polc::telemetry {

namespace {

// A bounds-checked view of received bytes. Numbers on the wire are big-endian (network order)
// except the netlink headers, which are in the host's order.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t len) : data_(data), len_(len) {}
  size_t size() const { return len_; }
  const uint8_t* data() const { return data_; }
  bool has(size_t offset, size_t count) const { return offset <= len_ && count <= len_ - offset; }
  uint8_t u8(size_t offset) const { return data_[offset]; }
  uint16_t be16(size_t offset) const { return static_cast<uint16_t>(data_[offset] << 8 | data_[offset + 1]); }
  uint32_t be32(size_t offset) const {
    return static_cast<uint32_t>(be16(offset)) << 16 | static_cast<uint32_t>(be16(offset + 2));
  }
  uint64_t be64(size_t offset) const { return static_cast<uint64_t>(be32(offset)) << 32 | be32(offset + 4); }
  template <typename T>
  T host(size_t offset) const {
    T value;
    std::memcpy(&value, data_ + offset, sizeof value);
    return value;
  }
  Bytes sub(size_t offset, size_t count) const { return Bytes(data_ + offset, count); }

 private:
  const uint8_t* data_;
  size_t len_;
};

constexpr size_t align4(size_t n) { return (n + 3) & ~size_t{3}; }

std::string protocol_name(uint8_t proto) {
  switch (proto) {
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_UDPLITE: return "udplite";
    case IPPROTO_SCTP: return "sctp";
    case IPPROTO_DCCP: return "dccp";
    case IPPROTO_ICMP: return "icmp";
    case IPPROTO_ICMPV6: return "icmpv6";
  }
  return std::to_string(proto);
}

// The protocols whose header starts with source and destination port (what nft's `th dport` reads).
bool has_ports(uint8_t proto) {
  return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
         proto == IPPROTO_DCCP;
}

void set_transport(const Bytes& p, size_t l4, uint8_t proto, bool first_fragment, Request& request) {
  request.protocol = protocol_name(proto);
  if (first_fragment && has_ports(proto) && p.has(l4, 4)) request.port = p.be16(l4 + 2);
}

void parse_ipv4(const Bytes& p, Request& request) {
  if (!p.has(0, 20)) return;
  const size_t header_len = size_t{p.u8(0) & 0x0fu} * 4;
  char text[INET_ADDRSTRLEN] = {};
  if (inet_ntop(AF_INET, p.data() + 16, text, sizeof text)) request.address = text;
  if (header_len < 20) return;
  const bool first_fragment = (p.be16(6) & 0x1fffu) == 0;
  set_transport(p, header_len, p.u8(9), first_fragment, request);
}

void parse_ipv6(const Bytes& p, Request& request) {
  if (!p.has(0, 40)) return;
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(AF_INET6, p.data() + 24, text, sizeof text)) request.address = text;
  uint8_t next = p.u8(6);
  size_t offset = 40;
  bool first_fragment = true;
  // Extension headers before the transport header; a bounded walk (a packet could chain many).
  for (int hops = 0; hops < 16; ++hops) {
    if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS) {
      if (!p.has(offset, 2)) return;
      const uint8_t following = p.u8(offset);
      offset += (size_t{p.u8(offset + 1)} + 1) * 8;
      next = following;
    } else if (next == IPPROTO_FRAGMENT) {
      if (!p.has(offset, 8)) return;
      first_fragment = first_fragment && (p.be16(offset + 2) & 0xfff8u) == 0;
      next = p.u8(offset);
      offset += 8;
    } else if (next == IPPROTO_AH) {
      if (!p.has(offset, 2)) return;
      const uint8_t following = p.u8(offset);
      offset += (size_t{p.u8(offset + 1)} + 2) * 4;
      next = following;
    } else {
      break;
    }
  }
  if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS || next == IPPROTO_FRAGMENT ||
      next == IPPROTO_AH)
    return;  // more headers than the walk takes: no transport protocol to name
  set_transport(p, offset, next, first_fragment, request);
}

}  // namespace

void parse_ip_packet(const uint8_t* data, size_t len, Request& request) {
  const Bytes p(data, len);
  if (!p.has(0, 1)) return;
  switch (p.u8(0) >> 4) {
    case 4: parse_ipv4(p, request); break;
    case 6: parse_ipv6(p, request); break;
    default: break;
  }
}

std::optional<NflogPacket> parse_nflog_message(const uint8_t* data, size_t len, const std::string& fallback_time) {
  const Bytes m(data, len);
  if (!m.has(0, NLMSG_HDRLEN + sizeof(struct nfgenmsg))) return std::nullopt;
  const auto header = m.host<struct nlmsghdr>(0);
  if (header.nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) || header.nlmsg_len > len) return std::nullopt;
  if (header.nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET)) return std::nullopt;

  NflogPacket packet;
  packet.event.layer = Layer::Nftables;
  packet.event.decision = "drop";
  bool has_payload = false;
  std::optional<std::string> time;
  // Attributes: {u16 length (header included), u16 type}, each padded to 4 bytes.
  const Bytes attrs = m.sub(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)),
                            header.nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(sizeof(struct nfgenmsg)));
  size_t offset = 0;
  while (attrs.has(offset, NLA_HDRLEN)) {
    const auto attr = attrs.host<struct nlattr>(offset);
    if (attr.nla_len < NLA_HDRLEN || !attrs.has(offset, attr.nla_len)) break;  // cut short: stop here
    const Bytes value = attrs.sub(offset + NLA_HDRLEN, attr.nla_len - NLA_HDRLEN);
    switch (attr.nla_type & NLA_TYPE_MASK) {
      case NFULA_PREFIX: {
        const void* nul = std::memchr(value.data(), 0, value.size());
        const size_t n = nul ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - value.data()) : value.size();
        packet.prefix.assign(reinterpret_cast<const char*>(value.data()), n);
        break;
      }
      case NFULA_UID:
        if (value.has(0, 4)) packet.uid = value.be32(0);
        break;
      case NFULA_GID:
        if (value.has(0, 4)) packet.gid = value.be32(0);
        break;
      case NFULA_SEQ:
        if (value.has(0, 4)) packet.seq = value.be32(0);
        break;
      case NFULA_TIMESTAMP:
        if (value.has(0, 16)) {
          const uint64_t sec = value.be64(0), usec = value.be64(8);
          if (sec <= INT64_MAX && usec < 1000000)
            time = rfc3339_utc(static_cast<int64_t>(sec), static_cast<int64_t>(usec));
        }
        break;
      case NFULA_PAYLOAD:
        parse_ip_packet(value.data(), value.size(), packet.event.request);
        has_payload = true;
        break;
      default: break;
    }
    offset += align4(attr.nla_len);
  }
  // A packet message says which packet: without its bytes there is nothing to report.
  if (!has_payload) return std::nullopt;
  packet.event.time = time ? *time : fallback_time;
  return packet;
}

NflogDatagram parse_nflog_datagram(const uint8_t* data, size_t len, const std::string& fallback_time) {
  NflogDatagram out;
  const Bytes d(data, len);
  size_t offset = 0;
  while (d.has(offset, NLMSG_HDRLEN)) {
    const auto header = d.host<struct nlmsghdr>(offset);
    if (header.nlmsg_len < NLMSG_HDRLEN || !d.has(offset, header.nlmsg_len)) {
      ++out.malformed;
      break;
    }
    const Bytes message = d.sub(offset, header.nlmsg_len);
    if (header.nlmsg_type == NLMSG_ERROR) {
      if (message.has(NLMSG_HDRLEN, sizeof(int)))
        out.replies.emplace_back(header.nlmsg_seq, message.host<int>(NLMSG_HDRLEN));
      else ++out.malformed;
    } else if (header.nlmsg_type == NLMSG_DONE || header.nlmsg_type == NLMSG_NOOP) {
      // the end of a batch
    } else if (auto packet = parse_nflog_message(message.data(), message.size(), fallback_time)) {
      out.packets.push_back(std::move(*packet));
    } else {
      ++out.malformed;
    }
    offset += NLMSG_ALIGN(header.nlmsg_len);
  }
  if (offset < len && !d.has(offset, NLMSG_HDRLEN)) ++out.malformed;  // bytes too few for a header
  return out;
}

}  // namespace polc::telemetry
