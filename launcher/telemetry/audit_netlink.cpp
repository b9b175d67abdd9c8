// Stage: launcher telemetry. The audit netlink socket (audit_netlink.h).
#include "launcher/telemetry/audit_netlink.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace polc::telemetry::audit_netlink {

namespace {

constexpr int kAnswerTimeoutMs = 1000;
// Sequence numbers of our requests; any value works, distinct ones tell answers apart.
uint32_t next_sequence() {
  static uint32_t sequence = 0;
  return ++sequence;
}

int64_t monotonic_ms() {
  struct timespec now {};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

int send_request(int fd, uint16_t type, uint16_t flags, const void* payload, size_t size, uint32_t sequence) {
  alignas(nlmsghdr) char message[NLMSG_SPACE(sizeof(audit_status)) + 512] = {};
  if (NLMSG_SPACE(size) > sizeof message) return EMSGSIZE;
  auto* header = reinterpret_cast<nlmsghdr*>(message);
  header->nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(size));
  header->nlmsg_type = type;
  header->nlmsg_flags = flags;
  header->nlmsg_seq = sequence;
  if (size) std::memcpy(NLMSG_DATA(header), payload, size);
  struct sockaddr_nl kernel {};
  kernel.nl_family = AF_NETLINK;
  for (;;) {
    const ssize_t sent =
        ::sendto(fd, message, header->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
    if (sent >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

// Waits for the answer to `sequence`: an NLMSG_ERROR (the ack, error 0, or the refusal) or a
// message of `reply_type` (copied to `reply`). Other messages go to `on_record`.
int await_answer(int fd, uint32_t sequence, uint16_t reply_type, void* reply, size_t reply_size, RecordSink on_record,
                 void* context) {
  alignas(nlmsghdr) char buffer[kReceiveBufferSize];
  const int64_t deadline = monotonic_ms() + kAnswerTimeoutMs;
  for (;;) {
    const int64_t left = deadline - monotonic_ms();
    if (left <= 0) return ETIMEDOUT;
    struct pollfd ready = {fd, POLLIN, 0};
    const int polled = ::poll(&ready, 1, static_cast<int>(left));
    if (polled < 0 && errno != EINTR) return errno;
    if (polled <= 0) continue;
    std::string_view text;
    int error = 0;
    const uint16_t type = receive(fd, buffer, sizeof buffer, text, error);
    if (type == 0) {
      if (error == 0 || error == EAGAIN || error == ENOBUFS || error == EINTR) continue;
      return error;
    }
    const auto* header = reinterpret_cast<const nlmsghdr*>(buffer);
    if (header->nlmsg_seq == sequence && type == NLMSG_ERROR) {
      if (text.size() < sizeof(nlmsgerr)) return EPROTO;
      nlmsgerr answer;
      std::memcpy(&answer, text.data(), sizeof answer);
      if (answer.error == 0 && reply_type != 0) continue;  // an ack before the reply: keep waiting
      return -answer.error;
    }
    if (header->nlmsg_seq == sequence && type == reply_type) {
      std::memset(reply, 0, reply_size);
      std::memcpy(reply, text.data(), std::min(text.size(), reply_size));
      return 0;
    }
    if (on_record && type >= AUDIT_FIRST_USER_MSG) on_record(context, type, text);
  }
}

}  // namespace

std::optional<UniqueFd> open_socket(bool nonblocking, int& error) {
  const int flags = SOCK_RAW | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0);
  UniqueFd fd(::socket(AF_NETLINK, flags, NETLINK_AUDIT));
  if (!fd.valid()) {
    error = errno;
    return std::nullopt;
  }
  struct sockaddr_nl self {};
  self.nl_family = AF_NETLINK;  // nl_pid 0: the kernel picks our port
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&self), sizeof self) != 0) {
    error = errno;
    return std::nullopt;
  }
  error = 0;
  return fd;
}

int get_status(int fd, Status& status) {
  const uint32_t sequence = next_sequence();
  if (const int error = send_request(fd, AUDIT_GET, NLM_F_REQUEST, nullptr, 0, sequence)) return error;
  audit_status reply{};
  if (const int error = await_answer(fd, sequence, AUDIT_GET, &reply, sizeof reply, nullptr, nullptr)) return error;
  status =
      Status{reply.enabled, reply.failure, reply.pid, reply.rate_limit, reply.backlog_limit, reply.lost, reply.backlog};
  return 0;
}

int set_status(int fd, const StatusChange& change, RecordSink on_record, void* context) {
  audit_status request{};
  if (change.enabled) {
    request.mask |= AUDIT_STATUS_ENABLED;
    request.enabled = *change.enabled;
  }
  if (change.pid) {
    request.mask |= AUDIT_STATUS_PID;
    request.pid = *change.pid;
  }
  if (change.backlog_limit) {
    request.mask |= AUDIT_STATUS_BACKLOG_LIMIT;
    request.backlog_limit = *change.backlog_limit;
  }
  if (request.mask == 0) return 0;
  const uint32_t sequence = next_sequence();
  if (const int error = send_request(fd, AUDIT_SET, NLM_F_REQUEST | NLM_F_ACK, &request, sizeof request, sequence))
    return error;
  return await_answer(fd, sequence, 0, nullptr, 0, on_record, context);
}

int send_user_message(int fd, std::string_view text) {
  char message[256] = {};
  const size_t size = std::min(text.size(), sizeof message - 1);
  std::memcpy(message, text.data(), size);
  const uint32_t sequence = next_sequence();
  if (const int error = send_request(fd, kMarkerType, NLM_F_REQUEST | NLM_F_ACK, message, size + 1, sequence))
    return error;
  return await_answer(fd, sequence, 0, nullptr, 0, nullptr, nullptr);
}

int join_multicast(int fd) {
  int group = AUDIT_NLGRP_READLOG;
  return ::setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) == 0 ? 0 : errno;
}

int leave_multicast(int fd) {
  int group = AUDIT_NLGRP_READLOG;
  return ::setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &group, sizeof group) == 0 ? 0 : errno;
}

uint16_t receive(int fd, char* buffer, size_t size, std::string_view& text, int& error) {
  struct sockaddr_nl from {};
  socklen_t from_size = sizeof from;
  const ssize_t got = ::recvfrom(fd, buffer, size, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_size);
  if (got < 0) {
    error = errno;
    return 0;
  }
  error = 0;
  if (static_cast<size_t>(got) < sizeof(nlmsghdr) || from.nl_pid != 0) return 0;
  const auto* header = reinterpret_cast<const nlmsghdr*>(buffer);
  text = std::string_view(buffer + sizeof(nlmsghdr), static_cast<size_t>(got) - sizeof(nlmsghdr));
  return header->nlmsg_type;
}

}  // namespace polc::telemetry::audit_netlink
