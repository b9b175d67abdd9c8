// Network endpoints and DNS names as the recorder decodes them from real calls.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "launcher/record/dns_query.h"
#include "record_harness.h"

namespace polc::record::test {

using learn::Endpoint;

TEST_CASE("a TCP connect to a loopback listener: a tcp endpoint with its port") {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(listen(listener, 4) == 0);
  socklen_t length = sizeof address;
  REQUIRE(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const uint16_t port = ntohs(address.sin_port);
  const Recorded r = record({kWorkload, "connect", std::to_string(port)});
  close(listener);
  CHECK(r.run.exit_code == 0);
  CHECK(find(r.recording, Endpoint{Endpoint::Direction::Connect, "tcp", "127.0.0.1", port}));
}

TEST_CASE("a DNS query sent to port 53 over UDP: the endpoint and the name, lowercased") {
  // No server is needed: the query is decoded from the send, and UDP sends to a closed port.
  const Recorded r = record({kWorkload, "dns", "127.0.0.77", "WWW.Example.ORG"});
  CHECK(r.run.exit_code == 0);
  CHECK(find(r.recording, Endpoint{Endpoint::Direction::Connect, "udp", "127.0.0.77", 53}));
  CHECK(find(r.recording, learn::NameLookup{"www.example.org"}));
}

TEST_CASE("a DNS query sent with sendto and a destination: a send endpoint and the name") {
  const Recorded r = record({kWorkload, "dnsto", "127.0.0.77", "sendto.example"});
  CHECK(r.run.exit_code == 0);
  CHECK(find(r.recording, Endpoint{Endpoint::Direction::Send, "udp", "127.0.0.77", 53}));
  CHECK(find(r.recording, learn::NameLookup{"sendto.example"}));
}

TEST_CASE("DNS queries as glibc's resolver sends them (sendmmsg, A and AAAA): the name, twice") {
  const Recorded r = record({kWorkload, "dnsmmsg", "127.0.0.77", "both.example"});
  CHECK(r.run.exit_code == 0);
  const learn::Seen* seen = find(r.recording, learn::NameLookup{"both.example"});
  REQUIRE(seen);
  CHECK(seen->count == 2);
}

TEST_CASE("a UNIX socket bound to a path: a unix endpoint and make_sock on the path") {
  TempDir dir;
  const Recorded r = record({"python3", "-c",
                             "import socket; s = socket.socket(socket.AF_UNIX); s.bind('" + dir / "sock" + "')"});
  CHECK(r.run.exit_code == 0);
  CHECK(find(r.recording, Endpoint{Endpoint::Direction::Bind, "unix", dir / "sock", 0}));
  CHECK(has_access(r.recording, dir / "sock", "make_sock"));
}

TEST_CASE("dns_question_names: queries only, every offset checked") {
  const std::vector<uint8_t> query = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1,   'A', 3,
                                      'c',  'o',  'm',  0,    0, 1, 0, 1};
  CHECK(dns_question_names(query) == std::vector<std::string>{"a.com"});
  std::vector<uint8_t> response = query;
  response[2] |= 0x80;
  CHECK(dns_question_names(response).empty());
  CHECK(dns_question_names(std::span(query).first(query.size() - 1)).empty());
  std::vector<uint8_t> pointer = query;
  pointer[12] = 0xc0;
  CHECK(dns_question_names(pointer).empty());
  CHECK(dns_question_names(std::vector<uint8_t>(5, 0)).empty());
}

}  // namespace polc::record::test
