// network.nflog: the nftables events on the real kernel. In a network namespace of its own (made
// with unshare, so nothing outside it is touched and it goes away with the process), it loads the
// nftables.nft that `polc build` writes for policies/nflog_client.sbx, opens the nfnetlink_log
// channel as sbx-exec's supervisor does, sends refused and allowed traffic to addresses inside the
// namespace, and checks that exactly the refused packets arrive as events, each with the prefix of
// the rule that dropped it. Exit 77 (skipped) without root, namespaces or nft.
// Usage: nflog_kernel_test POLC SOURCE_DIR
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include "backends/network/nflog_group.h"
#include "launcher/telemetry/nflog_channel.h"

using polc::telemetry::NflogChannel;
using polc::telemetry::NflogPacket;

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok:  " : "FAIL:", what.c_str());
  if (!ok) ++failures;
}

[[noreturn]] void skip(const std::string& why) {
  std::printf("SKIP: %s\n", why.c_str());
  std::exit(77);
}

bool run(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  return status == 0;
}

// Sends from an unbound socket of `type` to ADDRESS:PORT: a TCP connect that is given 300 ms
// (one SYN: the first retransmission comes after a second), or one UDP datagram.
void send_to(int type, const char* address, uint16_t port) {
  const bool v6 = std::strchr(address, ':') != nullptr;
  const int s = ::socket(v6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) return;
  sockaddr_storage to{};
  socklen_t len = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&to);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, address, &a->sin6_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&to);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, address, &a->sin_addr);
    len = sizeof *a;
  }
  if (type == SOCK_STREAM) {
    (void)::connect(s, reinterpret_cast<sockaddr*>(&to), len);
    pollfd p{s, POLLOUT, 0};
    (void)::poll(&p, 1, 300);
  } else {
    (void)::sendto(s, "ping", 4, 0, reinterpret_cast<sockaddr*>(&to), len);
  }
  ::close(s);
}

// Reads events until none has come for `quiet_ms`.
std::vector<NflogPacket> collect(NflogChannel& channel, int quiet_ms) {
  std::vector<NflogPacket> out;
  for (;;) {
    pollfd p{channel.fd(), POLLIN, 0};
    if (::poll(&p, 1, quiet_ms) <= 0) return out;
    for (auto& packet : channel.read_available()) out.push_back(std::move(packet));
  }
}

using Key = std::tuple<std::string, std::string, std::string, int64_t>;  // prefix, protocol, address, port

Key key(const NflogPacket& p) {
  const auto& r = p.event.request;
  return {p.prefix, r.protocol.value_or("?"), r.address.value_or("?"), r.port.value_or(-1)};
}

std::string text(const Key& k) {
  return "\"" + std::get<0>(k) + "\" " + std::get<1>(k) + " " + std::get<2>(k) + " port " +
         std::to_string(std::get<3>(k));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: nflog_kernel_test POLC SOURCE_DIR\n");
    return 2;
  }
  const std::string polc = argv[1], source = argv[2];
  if (geteuid() != 0) skip("needs root (network namespaces, nft)");
  if (!run("command -v nft") || !run("command -v ip")) skip("needs nft and ip");

  char dir_template[] = "/tmp/polc-nflog.XXXXXX";
  if (!mkdtemp(dir_template)) skip("no temporary directory");
  const std::string dir = dir_template;
  const bool built =
      run("'" + polc + "' build '" + source + "/tests/network/policies/nflog_client.sbx' -o '" + dir + "'");
  const std::string nft = dir + "/nflog_client/nftables.nft";

  // From here on this process and its children live in the new namespace.
  if (::unshare(CLONE_NEWNET) != 0) skip(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno));
  if (!built) {
    run("rm -rf '" + dir + "'");
    check(false, "polc build policies/nflog_client.sbx");
    return 1;
  }
  // Addresses the policy refuses, all local to the namespace: a dummy interface (loopback where the
  // kernel has no dummy driver), so no packet leaves it.
  const std::string dev = run("ip link add nflog0 type dummy") ? "nflog0" : "lo";
  const bool setup = run("ip link set lo up") && run("ip addr add 10.232.0.2/24 dev " + dev) &&
                     run("ip addr add 169.254.169.254/32 dev " + dev) && run("ip link set " + dev + " up") &&
                     run("nft -f '" + nft + "'");
  run("rm -rf '" + dir + "'");
  check(setup, "namespace addresses and the policy's nftables.nft loaded");
  if (!setup) return 1;

  std::optional<NflogChannel> channel;
  try {
    channel.emplace(NflogChannel::open(polc::backends::network::kNflogGroup));
  } catch (const std::system_error& e) {
    check(false, std::string("open the nfnetlink_log channel: ") + e.what());
    return 1;
  }
  check(collect(*channel, 200).empty(), "nothing logged before any traffic");

  // Allowed traffic logs nothing: a connect that the kernel answers with a reset, a datagram that
  // it answers with "port unreachable" (both replies are established/related traffic).
  send_to(SOCK_STREAM, "127.0.0.1", 8080);
  send_to(SOCK_DGRAM, "10.232.0.2", 5300);
  send_to(SOCK_STREAM, "10.232.0.2", 8004);
  const auto allowed = collect(*channel, 300);
  check(allowed.empty(), "allowed traffic logs nothing (" + std::to_string(allowed.size()) + " events)");
  for (const auto& p : allowed) std::printf("      unexpected: %s\n", text(key(p)).c_str());

  // Refused: by the written deny rule (index 0), by the metadata deny (index 1), by the final drop.
  send_to(SOCK_STREAM, "10.232.0.2", 8005);
  send_to(SOCK_DGRAM, "10.232.0.2", 5301);
  send_to(SOCK_STREAM, "169.254.169.254", 80);
  send_to(SOCK_STREAM, "127.0.0.1", 9090);
  const bool have_v6 = run("ip -6 addr show dev lo | grep -q ::1");
  if (have_v6) send_to(SOCK_DGRAM, "::1", 5301);
  const auto refused = collect(*channel, 500);

  std::map<Key, int> expected = {
      {{"polc 0 ", "tcp", "10.232.0.2", 8005}, 1},
      {{"polc default ", "udp", "10.232.0.2", 5301}, 1},
      {{"polc 1 ", "tcp", "169.254.169.254", 80}, 1},
      {{"polc default ", "tcp", "127.0.0.1", 9090}, 1},
  };
  if (have_v6) expected[{"polc default ", "udp", "::1", 5301}] = 1;
  std::map<Key, int> got;
  for (const auto& p : refused) ++got[key(p)];
  for (const auto& [k, n] : expected)
    check(got.count(k) && got[k] == n, "one event " + text(k) + " (got " + std::to_string(got[k]) + ")");
  for (const auto& [k, n] : got)
    if (!expected.count(k)) check(false, "no other event, but got " + std::to_string(n) + " of " + text(k));

  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  uint32_t seq = 0;
  bool fields_ok = true, seq_ok = true;
  for (const auto& p : refused) {
    fields_ok = fields_ok && p.event.layer == polc::telemetry::Layer::Nftables && p.event.decision == "drop" &&
                std::regex_match(p.event.time, rfc3339) && p.uid == 0u && p.gid == 0u &&
                polc::backends::network::parse_nflog_prefix(p.prefix).has_value();
    seq_ok = seq_ok && p.seq == seq++;
  }
  check(fields_ok, "each event: layer nftables, decision drop, an RFC 3339 time, uid and gid 0, a polc prefix");
  check(seq_ok, "sequence numbers 0, 1, ... without gaps");
  const auto& losses = channel->losses();
  check(losses.overruns == 0 && losses.seq_missing == 0 && losses.malformed == 0 && losses.foreign == 0,
        "no losses counted");

  // The socket's owner is the sender's: a child that gives up root sends one more refused datagram.
  const pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(1);
    send_to(SOCK_DGRAM, "10.232.0.2", 5302);
    _exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  const auto other = collect(*channel, 500);
  check(other.size() == 1 && other[0].uid == 65534u && other[0].gid == 65534u &&
            key(other[0]) == Key{"polc default ", "udp", "10.232.0.2", 5302},
        "a packet of another user's socket carries that uid and gid");

  // A flood larger than the socket's buffer holds, sent before anything is read: every datagram is
  // either delivered or counted as missing by the sequence numbers, once a later packet (here one
  // more datagram) shows where the numbering went on.
  constexpr int kFlood = 20000;
  const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in flood_to{};
  flood_to.sin_family = AF_INET;
  flood_to.sin_port = htons(5303);
  inet_pton(AF_INET, "10.232.0.2", &flood_to.sin_addr);
  for (int i = 0; i < kFlood; ++i)
    (void)::sendto(udp, "x", 1, 0, reinterpret_cast<sockaddr*>(&flood_to), sizeof flood_to);
  ::close(udp);
  auto flood = collect(*channel, 300);
  send_to(SOCK_DGRAM, "10.232.0.2", 5304);
  for (auto& p : collect(*channel, 300)) flood.push_back(std::move(p));
  int delivered = 0, sentinel = 0;
  for (const auto& p : flood) {
    if (p.event.request.port == 5303) ++delivered;
    if (p.event.request.port == 5304) ++sentinel;
  }
  const auto& after = channel->losses();
  std::printf("      flood: %d delivered, %llu missing by sequence, %llu overruns\n", delivered,
              static_cast<unsigned long long>(after.seq_missing), static_cast<unsigned long long>(after.overruns));
  check(sentinel == 1 && delivered + static_cast<int64_t>(after.seq_missing) == kFlood,
        "a flood: delivered + counted missing = sent");
  check(after.seq_missing == 0 || after.overruns > 0, "missing packets come with overruns reported");

  std::printf(failures ? "%d check(s) failed\n" : "all checks passed\n", failures);
  return failures ? 1 : 0;
}
