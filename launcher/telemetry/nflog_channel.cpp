// Stage: launcher telemetry. The nfnetlink_log socket (nflog_channel.h): binding the group,
// configuring what the kernel sends, and draining it without blocking.
#include "launcher/telemetry/nflog_channel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <cstring>
#include <string>
#include <system_error>

namespace polc::telemetry {

namespace {

// Each packet is sent at once (a queue threshold of 1), in the context of the packet's own send:
// when the payload has exited, everything it caused is already in the socket, so the supervisor's
// last read at the end needs no wait. A flood costs one datagram per packet, which the receive
// buffer below absorbs while the supervisor reads.
constexpr uint32_t kQueueThreshold = 1;
constexpr uint32_t kFlushTimeout = 2;
// Room for the kernel to queue batches while the supervisor is busy (SO_RCVBUFFORCE as root).
constexpr int kReceiveBuffer = 2 << 20;
// A batch is at most the instance's buffer size (one page by default); larger would be truncated.
constexpr size_t kDatagramMax = 64 * 1024;
constexpr int kAckTimeoutMs = 1000;

[[noreturn]] void fail(const std::string& step, int err) {
  throw std::system_error(err, std::generic_category(), "nfnetlink_log: " + step);
}

// Appends one attribute (header, value, padding to 4 bytes).
void put_attr(std::vector<uint8_t>& msg, uint16_t type, const void* value, size_t len) {
  struct nlattr attr {};
  attr.nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
  attr.nla_type = type;
  const auto* a = reinterpret_cast<const uint8_t*>(&attr);
  msg.insert(msg.end(), a, a + sizeof attr);
  const auto* v = static_cast<const uint8_t*>(value);
  msg.insert(msg.end(), v, v + len);
  msg.resize(NLA_ALIGN(msg.size()), 0);
}

// The one configuration request: bind the group, copy the packet's first `copy_range` bytes,
// number the packets, batch them as above. The kernel applies the command first, then the rest.
// PF_BIND is not sent: it only makes nfnetlink_log a family's default logger, which nft's
// `log group` (it names its logger type) has never needed since nf_log's per-type loggers (3.17).
std::vector<uint8_t> config_request(uint16_t group, uint32_t copy_range, uint32_t seq) {
  std::vector<uint8_t> msg(NLMSG_HDRLEN);
  struct nfgenmsg gen {};
  gen.nfgen_family = AF_UNSPEC;
  gen.version = NFNETLINK_V0;
  gen.res_id = htons(group);
  const auto* g = reinterpret_cast<const uint8_t*>(&gen);
  msg.insert(msg.end(), g, g + sizeof gen);

  const struct nfulnl_msg_config_cmd cmd { NFULNL_CFG_CMD_BIND };
  put_attr(msg, NFULA_CFG_CMD, &cmd, sizeof cmd);
  struct nfulnl_msg_config_mode mode {};
  mode.copy_range = htonl(copy_range);
  mode.copy_mode = NFULNL_COPY_PACKET;
  put_attr(msg, NFULA_CFG_MODE, &mode, sizeof mode);
  const uint16_t flags = htons(NFULNL_CFG_F_SEQ);
  put_attr(msg, NFULA_CFG_FLAGS, &flags, sizeof flags);
  const uint32_t qthresh = htonl(kQueueThreshold);
  put_attr(msg, NFULA_CFG_QTHRESH, &qthresh, sizeof qthresh);
  const uint32_t timeout = htonl(kFlushTimeout);
  put_attr(msg, NFULA_CFG_TIMEOUT, &timeout, sizeof timeout);

  struct nlmsghdr header {};
  header.nlmsg_len = static_cast<uint32_t>(msg.size());
  header.nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
  header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  header.nlmsg_seq = seq;
  std::memcpy(msg.data(), &header, sizeof header);
  return msg;
}

int64_t monotonic_ms() {
  struct timespec now {};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1000 + now.tv_nsec / 1000000;
}

}  // namespace

NflogChannel NflogChannel::open(uint16_t group, uint32_t copy_range) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER));
  if (!fd.valid()) fail("socket(NETLINK_NETFILTER)", errno);
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) != 0)
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  struct sockaddr_nl local {};
  local.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<struct sockaddr*>(&local), sizeof local) != 0) fail("bind", errno);

  NflogChannel channel(std::move(fd));
  const uint32_t seq = 1;
  const std::vector<uint8_t> request = config_request(group, copy_range, seq);
  struct sockaddr_nl kernel {};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(channel.fd(), request.data(), request.size(), 0, reinterpret_cast<struct sockaddr*>(&kernel),
               sizeof kernel) != static_cast<ssize_t>(request.size()))
    fail("configuring group " + std::to_string(group), errno);

  // The ACK (or the error) for the request; packets logged meanwhile are kept for the first read.
  const int64_t deadline = monotonic_ms() + kAckTimeoutMs;
  for (;;) {
    const int64_t left = deadline - monotonic_ms();
    if (left <= 0) fail("no answer to binding group " + std::to_string(group), ETIMEDOUT);
    struct pollfd p {
      channel.fd(), POLLIN, 0
    };
    if (::poll(&p, 1, static_cast<int>(left)) < 0 && errno != EINTR) fail("poll", errno);
    std::vector<uint8_t> buffer(kDatagramMax);
    struct sockaddr_nl from {};
    socklen_t from_len = sizeof from;
    const ssize_t n =
        ::recvfrom(channel.fd(), buffer.data(), buffer.size(), 0, reinterpret_cast<struct sockaddr*>(&from), &from_len);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      if (errno == ENOBUFS) {
        ++channel.losses_.overruns;
        continue;
      }
      fail("recv", errno);
    }
    if (from.nl_pid != 0) {
      ++channel.losses_.foreign;
      continue;
    }
    const NflogDatagram datagram = parse_nflog_datagram(buffer.data(), static_cast<size_t>(n), rfc3339_utc_now());
    channel.take(datagram, channel.pending_);
    for (const auto& [reply_seq, error] : datagram.replies) {
      if (reply_seq != seq) continue;
      if (error != 0) fail("binding group " + std::to_string(group), -error);
      return channel;
    }
  }
}

void NflogChannel::account(NflogPacket& packet) {
  if (!packet.seq) return;
  // Unsigned difference: wraps like the kernel's counter. A huge gap is a reordering, not a loss.
  const uint32_t gap = *packet.seq - next_seq_;
  if (gap < 0x80000000u) losses_.seq_missing += gap;
  next_seq_ = *packet.seq + 1;
}

void NflogChannel::take(const NflogDatagram& datagram, std::vector<NflogPacket>& out) {
  losses_.malformed += datagram.malformed;
  for (const NflogPacket& packet : datagram.packets) {
    out.push_back(packet);
    account(out.back());
  }
}

std::vector<NflogPacket> NflogChannel::read_available(size_t max_datagrams) {
  std::vector<NflogPacket> out = std::move(pending_);
  pending_.clear();
  std::vector<uint8_t> buffer(kDatagramMax);
  for (size_t i = 0; i < max_datagrams; ++i) {
    struct sockaddr_nl from {};
    socklen_t from_len = sizeof from;
    const ssize_t n = ::recvfrom(fd_.get(), buffer.data(), buffer.size(), MSG_TRUNC,
                                 reinterpret_cast<struct sockaddr*>(&from), &from_len);
    if (n < 0) {
      if (errno == ENOBUFS) {  // the kernel dropped what did not fit; the socket is readable again
        ++losses_.overruns;
        continue;
      }
      if (errno == EINTR) continue;
      break;  // EAGAIN: drained (anything else: nothing more to read now)
    }
    if (from.nl_pid != 0) {  // only the kernel speaks for nfnetlink_log
      ++losses_.foreign;
      continue;
    }
    size_t len = static_cast<size_t>(n);
    if (len > buffer.size()) {  // truncated: what fits is parsed, the cut message counts as malformed
      len = buffer.size();
    }
    take(parse_nflog_datagram(buffer.data(), len, rfc3339_utc_now()), out);
  }
  return out;
}

}  // namespace polc::telemetry
