// Stage: launcher (learning). Endpoints and names of a call (decode_net.h).
#include "launcher/record/decode_net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include "launcher/record/pidfd.h"
#include "launcher/record/thread_group.h"
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>

#include "compiler/posix/unique_fd.h"
#include "launcher/record/dns_query.h"
#include "launcher/record/tracee_paths.h"

namespace polc::record {

namespace {

using Direction = learn::Endpoint::Direction;

constexpr size_t kMaxDnsSockets = 4096;
constexpr size_t kMaxPayload = 4096;  // a DNS query over UDP is at most 512 bytes (4096 with EDNS)
constexpr unsigned kMaxIovecs = 16;
constexpr unsigned kMaxMessages = 64;  // of one sendmmsg
constexpr unsigned kPidfdThread = O_EXCL;  // PIDFD_THREAD (Linux 6.9): a pidfd of a non-leader thread

// A socket address the caller passed, as far as it was readable (at most sockaddr_storage).
struct Address {
  uint8_t bytes[sizeof(sockaddr_storage)] = {};
  size_t length = 0;
  uint16_t family() const {
    uint16_t f = 0;
    if (length >= sizeof f) std::memcpy(&f, bytes, sizeof f);
    return f;
  }
};

std::optional<Address> read_address(const CallContext& c, uint64_t pointer, uint64_t length) {
  if (pointer == 0 || length < sizeof(sa_family_t)) return std::nullopt;
  Address a;
  a.length = static_cast<size_t>(std::min<uint64_t>(length, sizeof a.bytes));
  if (!c.memory.read(pointer, a.bytes, a.length)) {
    c.undecidable = true;
    return std::nullopt;
  }
  return a;
}

// "tcp" or "udp": the caller's socket `fd` by its type and protocol, read from a copy of it
// (pidfd_getfd); "" for any other socket. When the copy cannot be taken although `fd` is open
// (the caller is closed to this process), "" and the call is marked undecidable.
std::string socket_protocol(const CallContext& c, int fd) {
  const pid_t pid = c.pid;
  UniqueFd pidfd(open_pidfd(pid));
  if (!pidfd.valid()) pidfd.reset(open_pidfd(pid, kPidfdThread));
  if (!pidfd.valid()) pidfd.reset(open_pidfd(thread_group_of(pid)));
  UniqueFd copy(pidfd.valid() ? take_descriptor(pidfd.get(), fd) : -1);
  if (!copy.valid()) {
    // EBADF: `fd` is not open in the caller; the call fails with EBADF, there is nothing to judge.
    if (!pidfd.valid() || errno != EBADF) c.undecidable = true;
    return "";
  }
  int type = 0, protocol = 0;
  socklen_t length = sizeof type;
  if (getsockopt(copy.get(), SOL_SOCKET, SO_TYPE, &type, &length) != 0) return "";
  length = sizeof protocol;
  if (getsockopt(copy.get(), SOL_SOCKET, SO_PROTOCOL, &protocol, &length) != 0) return "";
  if (type == SOCK_STREAM && (protocol == IPPROTO_TCP || protocol == IPPROTO_MPTCP)) return "tcp";
  if (type == SOCK_DGRAM && (protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE)) return "udp";
  return "";
}

// The Endpoint of an address (nullopt for other families, unnamed sockets, short addresses).
// `proto` is asked for only for AF_INET/AF_INET6.
template <typename Proto>
std::optional<learn::Endpoint> endpoint_of(const Address& a, Direction direction, Proto proto) {
  learn::Endpoint e;
  e.direction = direction;
  char text[INET6_ADDRSTRLEN] = {};
  const uint16_t family = a.family();
  if (family == AF_INET && a.length >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, a.bytes, sizeof in);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
    e.port = ntohs(in.sin_port);
  } else if (family == AF_INET6 && a.length >= 24) {  // SIN6_LEN_RFC2133: without the scope id
    sockaddr_in6 in6{};
    std::memcpy(&in6, a.bytes, std::min(a.length, sizeof in6));
    if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr))
      inet_ntop(AF_INET, &in6.sin6_addr.s6_addr[12], text, sizeof text);
    else
      inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    e.port = ntohs(in6.sin6_port);
  } else if (family == AF_UNIX && a.length > offsetof(sockaddr_un, sun_path)) {
    const char* path = reinterpret_cast<const char*>(a.bytes) + offsetof(sockaddr_un, sun_path);
    const size_t length = a.length - offsetof(sockaddr_un, sun_path);
    e.proto = "unix";
    if (path[0] == '\0')  // abstract: every byte of the length counts, NULs included
      e.address = "@" + std::string(path + 1, length - 1);
    else
      e.address = std::string(path, strnlen(path, length));
    return e;
  } else {
    return std::nullopt;
  }
  e.proto = proto();
  if (e.proto.empty()) return std::nullopt;
  e.address = text;
  return e;
}

// The payload of a send: up to kMaxPayload bytes of `iovecs` (pointer, length) pairs.
std::vector<uint8_t> gather(const CallContext& c, const std::vector<std::pair<uint64_t, uint64_t>>& iovecs) {
  std::vector<uint8_t> out;
  for (const auto& [base, length] : iovecs) {
    const size_t take = static_cast<size_t>(std::min<uint64_t>(length, kMaxPayload - out.size()));
    const size_t at = out.size();
    out.resize(at + take);
    out.resize(at + c.memory.read_some(base, out.data() + at, take));
    if (out.size() >= kMaxPayload || out.size() < at + take) break;
  }
  return out;
}

void add_names(const std::vector<uint8_t>& payload, std::vector<learn::Event>& out) {
  for (std::string& name : dns_question_names(payload)) out.push_back(learn::NameLookup{std::move(name)});
}

// A send of `payload` on `fd` to `to` (nullopt: the connected peer).
void sent(const CallContext& c, NetState& state, int fd, const std::optional<Address>& to,
          const std::vector<std::pair<uint64_t, uint64_t>>& payload, std::vector<learn::Event>& out) {
  bool dns = !to && state.dns_socket(c.pid, fd);
  if (to) {
    const auto e = endpoint_of(*to, Direction::Send, [&] { return socket_protocol(c, fd); });
    if (e) {
      out.push_back(*e);
      dns = e->proto == "udp" && e->port == 53;
    }
  }
  if (dns) add_names(gather(c, payload), out);
}

// struct msghdr (or compat_msghdr) at `pointer`: the destination and the iovecs.
struct Message {
  std::optional<Address> to;
  std::vector<std::pair<uint64_t, uint64_t>> iovecs;
};

std::optional<Message> read_message(const CallContext& c, uint64_t pointer) {
  uint64_t name = 0, name_length = 0, iov = 0, iov_count = 0;
  if (c.compat()) {
    uint32_t m[4] = {};  // name, namelen, iov, iovlen
    if (!c.memory.read(pointer, m, sizeof m)) {
      c.undecidable = true;
      return std::nullopt;
    }
    name = m[0], name_length = m[1], iov = m[2], iov_count = m[3];
  } else {
    uint64_t m[4] = {};  // name, namelen (+padding), iov, iovlen
    if (!c.memory.read(pointer, m, sizeof m)) {
      c.undecidable = true;
      return std::nullopt;
    }
    name = m[0], name_length = static_cast<uint32_t>(m[1]), iov = m[2], iov_count = m[3];
  }
  Message out;
  out.to = read_address(c, name, name_length);
  const unsigned count = static_cast<unsigned>(std::min<uint64_t>(iov_count, kMaxIovecs));
  for (unsigned i = 0; i < count; ++i) {
    if (c.compat()) {
      uint32_t v[2] = {};
      if (!c.memory.read(iov + i * sizeof v, v, sizeof v)) break;
      out.iovecs.emplace_back(v[0], v[1]);
    } else {
      uint64_t v[2] = {};
      if (!c.memory.read(iov + i * sizeof v, v, sizeof v)) break;
      out.iovecs.emplace_back(v[0], v[1]);
    }
  }
  return out;
}

void connect_or_bind(const CallContext& c, NetState& state, Direction direction, std::vector<learn::Event>& out) {
  const int fd = c.int_arg(0);
  const auto address = read_address(c, c.arg(1), static_cast<uint32_t>(c.arg(2)));
  if (!address) return;
  const auto e = endpoint_of(*address, direction, [&] { return socket_protocol(c, fd); });
  if (direction == Direction::Connect) state.set_dns_socket(c.pid, fd, e && e->proto == "udp" && e->port == 53);
  if (!e) return;
  if (e->proto == "unix" && !e->address.empty() && e->address[0] != '@') {
    // The socket's path is relative to the caller's working directory, like any path.
    const auto path = resolve_path(c.pid, kAtFdcwd, e->address, direction != Direction::Bind);
    if (!path) {
      c.undecidable = true;
      return;
    }
    learn::Endpoint resolved = *e;
    resolved.address = *path;
    out.push_back(resolved);
    if (direction == Direction::Bind) out.push_back(learn::FileAccess{*path, "make_sock", kind_of(*path, false)});
    return;
  }
  out.push_back(*e);
}

}  // namespace

void NetState::set_dns_socket(pid_t pid, int fd, bool dns) {
  if (!dns) {
    if (!dns_.empty()) dns_.erase({pid, fd});
    return;
  }
  if (dns_.size() >= kMaxDnsSockets) dns_.clear();
  dns_.insert({pid, fd});
}

void decode_net(Decoder decoder, const CallContext& c, NetState& state, std::vector<learn::Event>& out) {
  const int fd = c.int_arg(0);
  switch (decoder) {
    case Decoder::Connect: return connect_or_bind(c, state, Direction::Connect, out);
    case Decoder::Bind: return connect_or_bind(c, state, Direction::Bind, out);
    case Decoder::Write:
    case Decoder::Send:
      if (state.dns_socket(c.pid, fd)) add_names(gather(c, {{c.arg(1), c.arg(2)}}), out);
      return;
    case Decoder::Sendto:
      return sent(c, state, fd, read_address(c, c.arg(4), static_cast<uint32_t>(c.arg(5))), {{c.arg(1), c.arg(2)}},
                  out);
    case Decoder::Sendmsg:
      if (const auto m = read_message(c, c.arg(1))) sent(c, state, fd, m->to, m->iovecs, out);
      return;
    case Decoder::Sendmmsg: {
      const uint64_t entry = c.compat() ? 32 : 64;  // struct (compat_)mmsghdr
      const unsigned count = static_cast<unsigned>(std::min<uint64_t>(static_cast<uint32_t>(c.arg(2)), kMaxMessages));
      for (unsigned i = 0; i < count; ++i)
        if (const auto m = read_message(c, c.arg(1) + i * entry)) sent(c, state, fd, m->to, m->iovecs, out);
      return;
    }
    default: return;
  }
}

}  // namespace polc::record
