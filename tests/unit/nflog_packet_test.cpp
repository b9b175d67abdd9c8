// Unit tests of the nfnetlink_log parser (launcher/telemetry/nflog_packet.h) on hand-built netlink
// messages: what the kernel sends for a refused packet, batches, and every way of cutting one short.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/netlink.h>

#include <cstring>
#include <string>
#include <vector>

#include "backends/network/nflog_group.h"
#include "launcher/telemetry/nflog_packet.h"

using namespace polc::telemetry;
using Bytes = std::vector<uint8_t>;

namespace {

const std::string kNow = "2026-01-02T03:04:05.000006Z";

void put_be16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put_be32(Bytes& b, uint32_t v) {
  put_be16(b, static_cast<uint16_t>(v >> 16));
  put_be16(b, static_cast<uint16_t>(v));
}
void put_be64(Bytes& b, uint64_t v) {
  put_be32(b, static_cast<uint32_t>(v >> 32));
  put_be32(b, static_cast<uint32_t>(v));
}

// An IPv4 header (20 bytes, no options) and the first 4 bytes of the transport header.
Bytes ipv4(uint8_t proto, const char* daddr, uint16_t dport, uint16_t frag = 0) {
  Bytes p(20, 0);
  p[0] = 0x45;
  p[6] = static_cast<uint8_t>(frag >> 8);
  p[7] = static_cast<uint8_t>(frag);
  p[9] = proto;
  inet_pton(AF_INET, "127.0.0.1", &p[12]);
  inet_pton(AF_INET, daddr, &p[16]);
  put_be16(p, 40000);
  put_be16(p, dport);
  return p;
}

Bytes ipv6(uint8_t next, const char* daddr, const Bytes& rest) {
  Bytes p(40, 0);
  p[0] = 0x60;
  p[6] = next;
  inet_pton(AF_INET6, "::1", &p[8]);
  inet_pton(AF_INET6, daddr, &p[24]);
  p.insert(p.end(), rest.begin(), rest.end());
  return p;
}

void attr(Bytes& b, uint16_t type, const Bytes& value) {
  const uint16_t len = static_cast<uint16_t>(NLA_HDRLEN + value.size());
  const size_t at = b.size();
  b.resize(at + NLA_HDRLEN);
  std::memcpy(&b[at], &len, 2);
  std::memcpy(&b[at + 2], &type, 2);
  b.insert(b.end(), value.begin(), value.end());
  b.resize(NLA_ALIGN(b.size()), 0);
}

Bytes str(const std::string& s) {
  Bytes v(s.begin(), s.end());
  v.push_back(0);
  return v;
}
Bytes be32(uint32_t v) {
  Bytes b;
  put_be32(b, v);
  return b;
}

// A whole netlink message around `attrs`.
Bytes message(const Bytes& attrs, uint16_t type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET, uint16_t flags = 0) {
  Bytes m(NLMSG_HDRLEN, 0);
  struct nfgenmsg gen {};
  gen.nfgen_family = AF_INET;
  gen.res_id = htons(27);
  const auto* g = reinterpret_cast<const uint8_t*>(&gen);
  m.insert(m.end(), g, g + sizeof gen);
  m.insert(m.end(), attrs.begin(), attrs.end());
  struct nlmsghdr h {};
  h.nlmsg_len = static_cast<uint32_t>(m.size());
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  std::memcpy(m.data(), &h, sizeof h);
  return m;
}

// What the kernel sends for one logged packet: header, prefix, uid, gid, seq, payload.
Bytes packet_attrs(const Bytes& payload, const std::string& prefix = "polc 3 ", uint32_t seq = 0) {
  Bytes a;
  attr(a, NFULA_PACKET_HDR, {0x08, 0x00, 3, 0});
  attr(a, NFULA_PREFIX, str(prefix));
  attr(a, NFULA_IFINDEX_OUTDEV, be32(1));
  attr(a, NFULA_UID, be32(1000));
  attr(a, NFULA_GID, be32(100));
  attr(a, NFULA_SEQ, be32(seq));
  attr(a, NFULA_PAYLOAD, payload);
  return a;
}

std::optional<NflogPacket> parse(const Bytes& m) { return parse_nflog_message(m.data(), m.size(), kNow); }

}  // namespace

TEST_CASE("a refused TCP connect: prefix, protocol, destination, port, uid, the receive time") {
  const auto p = parse(message(packet_attrs(ipv4(IPPROTO_TCP, "10.1.2.3", 8080))));
  REQUIRE(p);
  CHECK(p->prefix == "polc 3 ");
  CHECK(p->event.layer == Layer::Nftables);
  CHECK(p->event.decision == "drop");
  CHECK(p->event.request.protocol == "tcp");
  CHECK(p->event.request.address == "10.1.2.3");
  CHECK(p->event.request.port == 8080);
  CHECK(p->event.time == kNow);
  CHECK(p->uid == 1000u);
  CHECK(p->gid == 100u);
  CHECK(p->seq == 0u);
  CHECK_FALSE(p->event.process.pid);
  CHECK_FALSE(p->event.rule.known);
  const auto rule = polc::backends::network::parse_nflog_prefix(p->prefix);
  REQUIRE(rule);
  CHECK_FALSE(rule->is_default);
  CHECK(rule->index == 3u);
}

TEST_CASE("UDP, ICMP and other protocols; ports only where the protocol has them") {
  auto p = parse(message(packet_attrs(ipv4(IPPROTO_UDP, "192.0.2.7", 53))));
  REQUIRE(p);
  CHECK(p->event.request.protocol == "udp");
  CHECK(p->event.request.port == 53);
  p = parse(message(packet_attrs(ipv4(IPPROTO_ICMP, "192.0.2.7", 0x1234))));
  REQUIRE(p);
  CHECK(p->event.request.protocol == "icmp");
  CHECK_FALSE(p->event.request.port);
  p = parse(message(packet_attrs(ipv4(47, "192.0.2.7", 0))));  // GRE: by number
  REQUIRE(p);
  CHECK(p->event.request.protocol == "47");
  CHECK_FALSE(p->event.request.port);
  p = parse(message(packet_attrs(ipv4(IPPROTO_SCTP, "192.0.2.7", 9))));
  REQUIRE(p);
  CHECK(p->event.request.protocol == "sctp");
  CHECK(p->event.request.port == 9);
}

TEST_CASE("a non-first IPv4 fragment has no transport header to read a port from") {
  const auto p = parse(message(packet_attrs(ipv4(IPPROTO_UDP, "192.0.2.7", 53, 0x0010))));
  REQUIRE(p);
  CHECK(p->event.request.protocol == "udp");
  CHECK_FALSE(p->event.request.port);
}

TEST_CASE("IPv6, through extension headers") {
  Bytes tcp;
  put_be16(tcp, 40000);
  put_be16(tcp, 443);
  auto p = parse(message(packet_attrs(ipv6(IPPROTO_TCP, "2001:db8::1", tcp), "polc default ")));
  REQUIRE(p);
  CHECK(p->event.request.protocol == "tcp");
  CHECK(p->event.request.address == "2001:db8::1");
  CHECK(p->event.request.port == 443);
  CHECK(polc::backends::network::parse_nflog_prefix(p->prefix)->is_default);

  // Hop-by-hop options (8 bytes), then a first fragment, then UDP.
  Bytes rest = {IPPROTO_FRAGMENT, 0, 0, 0, 0, 0, 0, 0, IPPROTO_UDP, 0, 0, 0, 0, 0, 0, 1};
  put_be16(rest, 5000);
  put_be16(rest, 5301);
  p = parse(message(packet_attrs(ipv6(IPPROTO_HOPOPTS, "::ffff:10.0.0.1", rest))));
  REQUIRE(p);
  CHECK(p->event.request.protocol == "udp");
  CHECK(p->event.request.address == "::ffff:10.0.0.1");
  CHECK(p->event.request.port == 5301);

  // ICMPv6, and a hop-by-hop header that claims more bytes than there are.
  p = parse(message(packet_attrs(ipv6(IPPROTO_ICMPV6, "fe80::1", {128, 0, 0, 0}))));
  REQUIRE(p);
  CHECK(p->event.request.protocol == "icmpv6");
  CHECK_FALSE(p->event.request.port);
  p = parse(message(packet_attrs(ipv6(IPPROTO_HOPOPTS, "fe80::1", {IPPROTO_TCP, 200}))));
  REQUIRE(p);
  CHECK(p->event.request.address == "fe80::1");
  CHECK(p->event.request.protocol == "tcp");  // as the header chain declares it
  CHECK_FALSE(p->event.request.port);         // beyond the bytes
  // A chain of more extension headers than the walk follows names no transport protocol.
  Bytes chain;
  for (int i = 0; i < 20; ++i) chain.insert(chain.end(), {IPPROTO_DSTOPTS, 0, 0, 0, 0, 0, 0, 0});
  p = parse(message(packet_attrs(ipv6(IPPROTO_DSTOPTS, "fe80::1", chain))));
  REQUIRE(p);
  CHECK_FALSE(p->event.request.protocol);
}

TEST_CASE("the kernel's timestamp wins over the receive time") {
  Bytes a = packet_attrs(ipv4(IPPROTO_TCP, "10.0.0.1", 1));
  Bytes ts;
  put_be64(ts, 1767225600);  // 2026-01-01T00:00:00Z
  put_be64(ts, 42);
  attr(a, NFULA_TIMESTAMP, ts);
  const auto p = parse(message(a));
  REQUIRE(p);
  CHECK(p->event.time == "2026-01-01T00:00:00.000042Z");
  CHECK(rfc3339_utc(0, 999999) == "1970-01-01T00:00:00.999999Z");
}

TEST_CASE("every truncation of a message parses without reading past it") {
  const Bytes whole = message(packet_attrs(ipv6(IPPROTO_TCP, "2001:db8::2", {0x9c, 0x40, 0x01, 0xbb})));
  for (size_t len = 0; len < whole.size(); ++len) {
    // A copy of exactly `len` bytes, so that a read past it is a read past the allocation (ASan).
    Bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(len));
    CHECK_FALSE(parse_nflog_message(cut.data(), cut.size(), kNow));  // nlmsg_len says more than there is
    // The same bytes with the header's length corrected: attributes cut short are ignored.
    if (len >= NLMSG_HDRLEN + sizeof(struct nfgenmsg)) {
      const auto n = static_cast<uint32_t>(len);
      std::memcpy(cut.data(), &n, sizeof n);
      const auto p = parse_nflog_message(cut.data(), cut.size(), kNow);
      if (p) CHECK(p->event.layer == Layer::Nftables);
      const NflogDatagram d = parse_nflog_datagram(cut.data(), cut.size(), kNow);
      CHECK(d.packets.size() + d.malformed >= 1);
    }
  }
  CHECK(parse(whole));
}

TEST_CASE("malformed attributes and packets") {
  // An attribute length below its header, and one beyond the message: parsing stops there.
  Bytes a;
  attr(a, NFULA_PREFIX, str("polc 1 "));
  const Bytes bad_len = {2, 0, NFULA_PAYLOAD, 0};
  a.insert(a.end(), bad_len.begin(), bad_len.end());
  CHECK_FALSE(parse(message(a)));  // no payload reached: no event

  // Values too short for their type are ignored; the prefix without its NUL is taken as it is.
  Bytes b;
  attr(b, NFULA_UID, {1, 2});
  attr(b, NFULA_TIMESTAMP, {0, 0, 0, 1});
  attr(b, NFULA_PREFIX, {'p', 'o', 'l', 'c'});
  attr(b, NFULA_PAYLOAD, ipv4(IPPROTO_TCP, "10.0.0.9", 22));
  auto p = parse(message(b));
  REQUIRE(p);
  CHECK_FALSE(p->uid);
  CHECK(p->event.time == kNow);
  CHECK(p->prefix == "polc");

  // Payloads that are not IP, or too short for their header: an event without the request fields.
  for (const Bytes& payload : {Bytes{}, Bytes{0x45, 0, 0}, Bytes(39, 0x60), Bytes(20, 0x55)}) {
    Bytes c;
    attr(c, NFULA_PAYLOAD, payload);
    p = parse(message(c));
    REQUIRE(p);
    CHECK_FALSE(p->event.request.address);
    CHECK_FALSE(p->event.request.protocol);
  }
  // An IPv4 header length below 20: the address, nothing after it.
  Bytes short_ihl = ipv4(IPPROTO_TCP, "10.0.0.9", 22);
  short_ihl[0] = 0x42;
  Bytes c;
  attr(c, NFULA_PAYLOAD, short_ihl);
  p = parse(message(c));
  REQUIRE(p);
  CHECK(p->event.request.address == "10.0.0.9");
  CHECK_FALSE(p->event.request.protocol);

  // Another subsystem's message, or the config type, is no packet.
  CHECK_FALSE(parse(message(packet_attrs(ipv4(IPPROTO_TCP, "10.0.0.1", 1)), (NFNL_SUBSYS_QUEUE << 8))));
  CHECK_FALSE(
      parse(message(packet_attrs(ipv4(IPPROTO_TCP, "10.0.0.1", 1)), (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG)));
}

TEST_CASE("a batch: several packets, NLMSG_DONE, an ACK, and garbage at the end") {
  Bytes d = message(packet_attrs(ipv4(IPPROTO_TCP, "10.0.0.1", 1), "polc 0 ", 0), (NFNL_SUBSYS_ULOG << 8), NLM_F_MULTI);
  const Bytes second =
      message(packet_attrs(ipv4(IPPROTO_UDP, "10.0.0.2", 2), "polc default ", 1), (NFNL_SUBSYS_ULOG << 8), NLM_F_MULTI);
  d.insert(d.end(), second.begin(), second.end());
  Bytes done(NLMSG_HDRLEN + 4, 0);
  struct nlmsghdr h {};
  h.nlmsg_len = static_cast<uint32_t>(done.size());
  h.nlmsg_type = NLMSG_DONE;
  std::memcpy(done.data(), &h, sizeof h);
  d.insert(d.end(), done.begin(), done.end());
  Bytes ack(NLMSG_HDRLEN + sizeof(struct nlmsgerr), 0);
  h.nlmsg_len = static_cast<uint32_t>(ack.size());
  h.nlmsg_type = NLMSG_ERROR;
  h.nlmsg_seq = 7;
  std::memcpy(ack.data(), &h, sizeof h);
  const int error = -16;
  std::memcpy(ack.data() + NLMSG_HDRLEN, &error, sizeof error);
  d.insert(d.end(), ack.begin(), ack.end());
  d.insert(d.end(), {1, 2, 3});

  const NflogDatagram out = parse_nflog_datagram(d.data(), d.size(), kNow);
  REQUIRE(out.packets.size() == 2);
  CHECK(out.packets[0].prefix == "polc 0 ");
  CHECK(out.packets[1].prefix == "polc default ");
  CHECK(out.packets[1].event.request.protocol == "udp");
  CHECK(out.packets[1].seq == 1u);
  REQUIRE(out.replies.size() == 1);
  CHECK(out.replies[0] == std::pair<uint32_t, int>(7, -16));
  CHECK(out.malformed == 1);

  // A message length of zero would loop forever; it ends the walk instead.
  Bytes zero(NLMSG_HDRLEN, 0);
  const NflogDatagram z = parse_nflog_datagram(zero.data(), zero.size(), kNow);
  CHECK(z.packets.empty());
  CHECK(z.malformed == 1);
}

TEST_CASE("the prefix convention shared with nftables.nft") {
  using polc::backends::network::nflog_default_prefix;
  using polc::backends::network::nflog_rule_prefix;
  using polc::backends::network::parse_nflog_prefix;
  CHECK(nflog_rule_prefix(0) == "polc 0 ");
  CHECK(nflog_default_prefix() == "polc default ");
  CHECK(parse_nflog_prefix("polc 12 ")->index == 12u);
  for (const char* bad : {"", "polc ", "polc 1", "polc  ", "polc 01 ", "polc -1 ", "polc 1x ", "polc defaults ",
                          "other 1 ", "polc 99999999999999999999999 "})
    CHECK_FALSE(parse_nflog_prefix(bad));
}
