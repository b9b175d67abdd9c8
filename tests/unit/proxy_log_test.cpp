// Unit tests of the egress proxy's telemetry source (launcher/telemetry/proxy_log*.h): the lines of
// squid's access log in polc's format, the refusals they record, and the tailing of the file.
// The lines marked "squid 5.7" were written by squid 5.7 running a polc-generated squid.conf
// (requests made with curl and, for the hostile ones, by hand over a socket).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "backends/network/squid.h"
#include "launcher/telemetry/event_json.h"
#include "launcher/telemetry/proxy_clients.h"
#include "launcher/telemetry/proxy_log.h"
#include "launcher/telemetry/proxy_log_source.h"
#include "tests/unit/test_support.h"

using namespace polc;
using namespace polc::telemetry;

namespace {

// squid 5.7, a polc squid.conf: refused and forwarded requests.
constexpr const char* kDeniedGet =
    "polc.access/1 1796552938.319 127.0.0.1 60520 TCP_DENIED 403 denied.test 8080 GET http://denied.test:8080/a";
constexpr const char* kDeniedConnect =
    "polc.access/1 1796552938.631 127.0.0.1 60540 TCP_DENIED 403 pypi.org 8443 CONNECT pypi.org:8443";
constexpr const char* kForwarded =
    "polc.access/1 1796552938.176 127.0.0.1 60508 TCP_MISS 503 deb.debian.org 80 GET http://deb.debian.org/x";
constexpr const char* kInvalidRequest =
    "polc.access/1 1796552939.712 127.0.0.1 60586 NONE_NONE 400 - - GET error:invalid-request";
constexpr const char* kAborted =
    "polc.access/1 1796552944.723 127.0.0.1 60604 NONE_NONE_ABORTED 0 deni%22ed.test 80 GET http://deni%22ed.test/x";

std::string denied_from(const std::string& client, const std::string& host, int port) {
  return "polc.access/1 1796552938.319 " + client + " 60520 TCP_DENIED 403 " + host + " " + std::to_string(port) +
         " GET http://" + host + "/";
}

}  // namespace

TEST_CASE("proxy log: the emitter's logformat is the one the parser reads") {
  auto c = test::compile(
      test::policy_with("  network {\n    proxy 10.0.2.1 port 3128\n    connect tcp 443 to \"a.org\"\n  }"));
  REQUIRE(c->policy);
  const std::string conf = backends::network::render_squid(*c->policy);
  CHECK(conf.find("\nlogformat polc " + std::string(kProxyLogFormat) + "\n") != std::string::npos);
  CHECK(conf.find("\naccess_log stdio:/var/log/squid/polc_t.access.log polc\n") != std::string::npos);
}

TEST_CASE("proxy log: a refused request, as squid logged it") {
  const auto r = parse_proxy_log_line(kDeniedGet);
  REQUIRE(r);
  CHECK(r->seconds == 1796552938);
  CHECK(r->millis == 319);
  CHECK(r->client == "127.0.0.1");
  CHECK(r->client_port == 60520);
  CHECK(r->squid_status == "TCP_DENIED");
  CHECK(r->http_status == 403);
  CHECK(r->host == "denied.test");
  CHECK(r->port == 8080);
  CHECK(r->method == "GET");
  CHECK(r->url == "http://denied.test:8080/a");
  CHECK_FALSE(r->cut);

  const auto e = proxy_log_refusal(kDeniedGet);
  REQUIRE(e);
  CHECK(e->layer == Layer::Proxy);
  CHECK(e->decision == "deny");
  CHECK(e->time == "2026-12-06T10:28:58.319000Z");
  CHECK(e->request.domain == "denied.test");
  CHECK(e->request.port == 8080);
  CHECK(e->request.method == "GET");
  CHECK(e->request.client == "127.0.0.1");
  CHECK_FALSE(e->request.address);  // the destination is named by domain and port
  CHECK(e->request.protocol == "tcp");
  CHECK_FALSE(e->process.pid);
  CHECK_FALSE(e->process.comm);
  CHECK_FALSE(e->process.exe);
  CHECK_FALSE(e->rule.known);  // the attribution's job

  const auto tunnel = proxy_log_refusal(kDeniedConnect);
  REQUIRE(tunnel);
  CHECK(tunnel->request.domain == "pypi.org");
  CHECK(tunnel->request.port == 8443);
  CHECK(tunnel->request.method == "CONNECT");
}

TEST_CASE("proxy log: what squid forwarded or could not parse is no refusal") {
  for (const char* line : {kForwarded, kInvalidRequest, kAborted}) {
    INFO(line);
    CHECK(parse_proxy_log_line(line));
    CHECK_FALSE(proxy_log_refusal(line));
  }
  // A 403 the origin server answered passes through squid as TCP_MISS.
  CHECK_FALSE(
      proxy_log_refusal("polc.access/1 1796552938.176 127.0.0.1 60508 TCP_MISS 403 a.org 80 GET http://a.org/"));
  const auto invalid = parse_proxy_log_line(kInvalidRequest);
  CHECK_FALSE(invalid->host);
  CHECK_FALSE(invalid->port);
}

TEST_CASE("proxy log: squid's refusal statuses") {
  auto status = [](const std::string& ss) {
    return proxy_log_refusal("polc.access/1 1796552938.319 127.0.0.1 1 " + ss + " 403 a.org 443 CONNECT a.org:443");
  };
  CHECK(status("TCP_DENIED"));
  CHECK(status("TCP_DENIED_REPLY"));
  CHECK(status("TCP_DENIED_ABORTED"));
  CHECK_FALSE(status("TCP_DENIEDX"));
  CHECK_FALSE(status("TCP_MISS"));
  CHECK_FALSE(status("NONE_NONE"));
  CHECK_FALSE(status("TCP_TUNNEL"));
}

TEST_CASE("proxy log: hostile URLs and hosts are decoded exactly and cannot break the line") {
  // squid 5.7: GET http://denied.test/a%20b%22c%25d (the client's own escapes, kept as sent)
  auto r = parse_proxy_log_line(
      "polc.access/1 1796552939.711 127.0.0.1 60560 TCP_DENIED 403 denied.test 80 GET "
      "http://denied.test/a%2520b%2522c%2525d");
  REQUIRE(r);
  CHECK(r->url == "http://denied.test/a%20b%22c%25d");
  // squid 5.7: GET http://denied.test/a"b\c'd[e]f
  r = parse_proxy_log_line(
      "polc.access/1 1796552939.711 127.0.0.1 60570 TCP_DENIED 403 denied.test 80 GET "
      "http://denied.test/a%22b%5Cc%27d%5Be%5Df");
  REQUIRE(r);
  CHECK(r->url == "http://denied.test/a\"b\\c'd[e]f");
  // squid 5.7: a host with a quote, and one with a byte that is not UTF-8.
  r = parse_proxy_log_line(kAborted);
  REQUIRE(r);
  CHECK(r->host == "deni\"ed.test");
  r = parse_proxy_log_line(
      "polc.access/1 1796552949.735 127.0.0.1 45498 NONE_NONE_ABORTED 0 de%FFnied.test 80 GET http://de%FFnied.test/x");
  REQUIRE(r);
  CHECK(r->host == "de\xffnied.test");
  // squid 5.7: an IPv6 literal (refused by polc_ip_literal).
  auto e = proxy_log_refusal(
      "polc.access/1 1796552959.754 127.0.0.1 41358 TCP_DENIED 403 %5B::1%5D 80 GET http://%5B::1%5D/");
  REQUIRE(e);
  CHECK(e->request.domain == "[::1]");

  // Control characters and bytes that are not UTF-8, in a refusal: one JSON line, escaped.
  e = proxy_log_refusal(
      "polc.access/1 1796552938.319 127.0.0.1 1 TCP_DENIED 403 a%0A%22b%FF%00.test 80 GE%0AT http://x/%0D%0A");
  REQUIRE(e);
  CHECK(*e->request.domain == std::string("a\n\"b\xff\0.test", 11));
  CHECK(e->request.method == "GE\nT");
  const std::string line = event_line(*e, BundleId{"p", 1, "00"});
  CHECK(line.find('\n') == std::string::npos);
  const auto j = nlohmann::json::parse(line);
  CHECK(j["request"]["domain"].get<std::string>().starts_with("a\n\"b"));
  CHECK(j["layer"] == "proxy");
  CHECK(j["decision"] == "deny");

  // What squid's encoding never writes is not polc's format: raw spaces (an extra field), bytes
  // outside printable ASCII, broken escapes. (Printable characters squid would have escaped, a
  // quote say, are taken as they are: they cannot break a field.)
  for (const char* bad : {
           "polc.access/1 1796552938.319 127.0.0.1 1 TCP_DENIED 403 a.org 80 GET http://a.org/ x",
           "polc.access/1 1796552938.319 127.0.0.1 1 TCP_DENIED 403 a\xff.org 80 GET http://a.org/",
           "polc.access/1 1796552938.319 127.0.0.1 1 TCP_DENIED 403 a\tb.org 80 GET http://a.org/",
           "polc.access/1 1796552938.319 127.0.0.1 1 TCP_DENIED 403 a%2.org 80 GET http://a.org/",
           "polc.access/1 1796552938.319 127.0.0.1 1 TCP_DENIED 403 a%zz.org 80 GET http://a.org/",
           "polc.access/1 1796552938.319 127.0.0.1 1 TCP_DENIED 403 a.org 80 GET http://a.org/%4",
           "polc.access/1 1796552938.319 127.0.0.1 1 TCP_DENIED 403 a.org 80 GET http://a.org/\r",
           "polc.access/1  1796552938.319 127.0.0.1 1 TCP_DENIED 403 a.org 80 GET http://a.org/",
       }) {
    INFO(std::string(bad));
    CHECK_FALSE(parse_proxy_log_line(bad));
  }
}

TEST_CASE("proxy log: torn, cut and foreign lines") {
  // squid cuts a record at 8191 bytes; the URL is last, so host and port survive. squid 5.7 cut
  // a refused request for http://denied.test/ followed by 2700 quotes exactly like this, in the
  // middle of an escape.
  std::string cut =
      "polc.access/1 1796552959.754 127.0.0.1 41406 TCP_DENIED 403 denied.test 80 GET http://denied.test/";
  while (cut.size() < kSquidRecordBytes) cut += "%22";
  cut.resize(kSquidRecordBytes);
  REQUIRE(cut.ends_with("%2"));
  auto r = parse_proxy_log_line(cut);
  REQUIRE(r);
  CHECK(r->cut);
  CHECK(r->host == "denied.test");
  CHECK(r->port == 80);
  CHECK(r->method == "GET");
  CHECK(r->url->starts_with("http://denied.test/\"\"\""));
  CHECK(proxy_log_refusal(cut));

  // Cut inside a (huge, client-chosen) method: the method may be partial and is left out.
  std::string method_cut = "polc.access/1 1796552959.754 127.0.0.1 41406 TCP_DENIED 403 denied.test 80 G";
  method_cut.resize(kSquidRecordBytes, 'E');
  r = parse_proxy_log_line(method_cut);
  REQUIRE(r);
  CHECK(r->cut);
  CHECK_FALSE(r->method);
  CHECK_FALSE(r->url);
  CHECK(proxy_log_refusal(method_cut)->request.port == 80);

  // Cut at the port (a host of thousands of bytes): the port may be partial and is left out.
  std::string port_cut = "polc.access/1 1796552959.754 127.0.0.1 41406 TCP_DENIED 403 ";
  port_cut += std::string(kSquidRecordBytes - port_cut.size() - 3, 'h') + " 80";
  r = parse_proxy_log_line(port_cut);
  REQUIRE(r);
  CHECK_FALSE(r->port);

  // Torn anywhere before the URL (squid never cuts a short line): nothing.
  const std::string whole = kDeniedGet;
  const size_t url_at = whole.find("http://");
  for (size_t n = 0; n <= url_at; ++n) {
    INFO(whole.substr(0, n));
    CHECK_FALSE(parse_proxy_log_line(whole.substr(0, n)));
  }

  // Other formats: squid's native one, another tag or version.
  CHECK_FALSE(parse_proxy_log_line(
      "1796552938.319      0 127.0.0.1 TCP_DENIED/403 3954 GET http://denied.test:8080/a - HIER_NONE/- text/html"));
  CHECK_FALSE(parse_proxy_log_line(std::string(kDeniedGet).replace(0, 13, "polc.access/2")));
  CHECK_FALSE(parse_proxy_log_line(""));
  // Time as %ts.%03tu only.
  CHECK_FALSE(parse_proxy_log_line(std::string(kDeniedGet).replace(14, 14, "1796552938.31 ")));
  CHECK_FALSE(parse_proxy_log_line(std::string(kDeniedGet).replace(14, 14, "-1796552938.3")));
}

TEST_CASE("proxy log: client addresses") {
  ClientAddresses c({"127.0.0.1", "::1", "10.200.0.2"});
  CHECK(c.contains("127.0.0.1"));
  CHECK(c.contains("::ffff:10.200.0.2"));
  CHECK(c.contains("0:0:0:0:0:0:0:1"));
  CHECK_FALSE(c.contains("10.200.0.3"));
  CHECK_FALSE(c.contains("::2"));
  CHECK_FALSE(c.contains("localhost"));
  CHECK_FALSE(c.contains(""));
  CHECK_THROWS_AS(ClientAddresses({"10.0.0.0/8"}), std::invalid_argument);
  CHECK_THROWS_AS(ClientAddresses({"localhost"}), std::invalid_argument);
  const auto here = namespace_addresses();
  auto has = [](const std::vector<std::string>& v, const std::string& a) {
    return std::find(v.begin(), v.end(), a) != v.end();
  };
  CHECK(has(here, "127.0.0.1"));
  // Loopback is the payload's only when the proxy is in its namespace.
  CHECK(has(payload_proxy_clients("127.0.0.1"), "127.0.0.1"));
  CHECK(has(payload_proxy_clients("::1"), "127.0.0.1"));
  CHECK_FALSE(has(payload_proxy_clients("192.0.2.1"), "127.0.0.1"));
  CHECK_FALSE(has(payload_proxy_clients("192.0.2.1"), "::1"));
  for (const std::string& a : here) {
    if (a == "127.0.0.1" || a == "::1") continue;
    INFO(a);
    CHECK(has(payload_proxy_clients("192.0.2.1"), a));
    CHECK(has(payload_proxy_clients(a), "127.0.0.1"));  // a proxy on one of the namespace's addresses
  }
}

namespace {

// A scratch directory for one test case, removed with everything in it.
struct Scratch {
  std::string dir;
  Scratch() {
    char tmpl[] = "/tmp/polc-proxylog.XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    dir = tmpl;
  }
  ~Scratch() { std::system(("rm -rf '" + dir + "'").c_str()); }
  std::string path(const std::string& name) const { return dir + "/" + name; }
};

void append(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::app | std::ios::binary);
  f << text;
}

std::vector<Event> read(ProxyLogSource& s) {
  std::vector<Event> out;
  s.read_available(out);
  return out;
}

}  // namespace

TEST_CASE("proxy log source: only what is logged after the start, complete lines, the payload's clients") {
  Scratch t;
  const std::string log = t.path("access.log");
  append(log, denied_from("127.0.0.1", "before.test", 443) + "\n");
  auto s = ProxyLogSource::open(log, {"127.0.0.1", "::1"});
  CHECK(std::string(s->name()) == "proxy_log");
  CHECK(s->fd() == -1);
  CHECK(read(*s).empty());  // the line from before the start is not this run's

  append(log, denied_from("127.0.0.1", "a.test", 443) + "\n" + kForwarded + "\n" +
                  denied_from("10.9.9.9", "other.test", 443) + "\n" + denied_from("::ffff:127.0.0.1", "b.test", 80) +
                  "\n" + denied_from("::1", "c.test", 1).substr(0, 70));
  auto events = read(*s);
  REQUIRE(events.size() == 2);
  CHECK(events[0].request.domain == "a.test");
  CHECK(events[1].request.domain == "b.test");
  CHECK(s->stats().other_clients == 1);
  // The last line has no newline yet: squid may be writing it.
  append(log, denied_from("::1", "c.test", 1).substr(70, 5));
  CHECK(read(*s).empty());
  append(log, denied_from("::1", "c.test", 1).substr(75));
  append(log, "\n");
  events = read(*s);
  REQUIRE(events.size() == 1);
  CHECK(events[0].request.domain == "c.test");
  CHECK(s->stats().refusals == 3);
  CHECK(s->lost() == 0);

  // A garbled line counts as possibly lost; an empty one is nothing.
  append(log, "polc.access/1 garbage\n\n");
  CHECK(read(*s).empty());
  CHECK(s->lost() == 1);
}

TEST_CASE("proxy log source: bounded reads, over-long lines skipped") {
  Scratch t;
  const std::string log = t.path("access.log");
  append(log, "");
  ProxyLogSource::Settings settings;
  settings.max_read_bytes = 1000;
  settings.max_line_bytes = 4096;
  auto s = ProxyLogSource::open(log, {"127.0.0.1"}, settings);
  std::string lines;
  for (int i = 0; i < 100; ++i) lines += denied_from("127.0.0.1", "n" + std::to_string(i) + ".test", 443) + "\n";
  append(log, lines);
  std::vector<Event> all;
  int calls = 0;
  for (; calls < 1000 && all.size() < 100; ++calls) {
    const size_t before = all.size();
    s->read_available(all);
    CHECK(all.size() - before <= 1000 / 60 + 1);  // about 95 bytes a line
  }
  REQUIRE(all.size() == 100);
  CHECK(calls >= static_cast<int>(lines.size() / 1000));
  CHECK(all[99].request.domain == "n99.test");

  append(log, std::string(10000, 'x') + "\n" + denied_from("127.0.0.1", "after.test", 1) + "\n");
  all.clear();
  for (int i = 0; i < 20; ++i) s->read_available(all);
  REQUIRE(all.size() == 1);
  CHECK(all[0].request.domain == "after.test");
  CHECK(s->lost() == 1);
}

TEST_CASE("proxy log source: rotation and truncation") {
  Scratch t;
  const std::string log = t.path("access.log");
  append(log, "");
  auto s = ProxyLogSource::open(log, {"127.0.0.1"});
  append(log, denied_from("127.0.0.1", "one.test", 1) + "\n");

  // Renamed away: the old file is still read (squid writes there until it reopens).
  REQUIRE(rename(log.c_str(), t.path("access.log.1").c_str()) == 0);
  append(t.path("access.log.1"), denied_from("127.0.0.1", "two.test", 2) + "\n");
  auto events = read(*s);
  REQUIRE(events.size() == 2);
  CHECK(events[1].request.domain == "two.test");

  // A new file at the path is read from its start; the old one still to its end.
  append(log, denied_from("127.0.0.1", "three.test", 3) + "\n");
  append(t.path("access.log.1"), denied_from("127.0.0.1", "late.test", 4) + "\n");
  events = read(*s);
  REQUIRE(events.size() == 2);
  CHECK(events[0].request.domain == "late.test");
  CHECK(events[1].request.domain == "three.test");
  CHECK(s->stats().rotations == 1);

  // Truncated in place (copytruncate): read again from the start.
  REQUIRE(truncate(log.c_str(), 0) == 0);
  CHECK(read(*s).empty());
  append(log, denied_from("127.0.0.1", "four.test", 4) + "\n");
  events = read(*s);
  REQUIRE(events.size() == 1);
  CHECK(events[0].request.domain == "four.test");
  CHECK(s->stats().truncations == 1);

  // Replaced by a symbolic link: not followed, the current file is kept.
  const std::string elsewhere = t.path("elsewhere.log");
  append(elsewhere, "");
  REQUIRE(rename(log.c_str(), t.path("access.log.2").c_str()) == 0);
  REQUIRE(symlink(elsewhere.c_str(), log.c_str()) == 0);
  append(elsewhere, denied_from("127.0.0.1", "planted.test", 5) + "\n");
  append(t.path("access.log.2"), denied_from("127.0.0.1", "five.test", 5) + "\n");
  events = read(*s);
  REQUIRE(events.size() == 1);
  CHECK(events[0].request.domain == "five.test");
  CHECK(s->stats().refused_paths == 1);
  CHECK(read(*s).empty());
  CHECK(s->stats().refused_paths == 1);  // counted once
}

TEST_CASE("proxy log source: what it refuses to open") {
  Scratch t;
  CHECK_THROWS_AS(ProxyLogSource::open(t.path("missing.log"), {"127.0.0.1"}), std::system_error);
  append(t.path("real.log"), "");
  REQUIRE(symlink(t.path("real.log").c_str(), t.path("link.log").c_str()) == 0);
  try {
    ProxyLogSource::open(t.path("link.log"), {"127.0.0.1"});
    FAIL("a symbolic link was opened");
  } catch (const std::system_error& e) {
    CHECK(e.code().value() == ELOOP);
  }
  // A FIFO would block an ordinary open; it is refused at once.
  REQUIRE(mkfifo(t.path("fifo").c_str(), 0600) == 0);
  CHECK_THROWS_AS(ProxyLogSource::open(t.path("fifo"), {"127.0.0.1"}), std::invalid_argument);
  CHECK_THROWS_AS(ProxyLogSource::open(t.dir, {"127.0.0.1"}), std::invalid_argument);
  CHECK_THROWS_AS(ProxyLogSource::open(t.path("real.log"), {}), std::invalid_argument);
  CHECK_THROWS_AS(ProxyLogSource::open(t.path("real.log"), {"10.0.0.0/8"}), std::invalid_argument);
}

TEST_CASE("proxy log source: synced only after the settle time, with everything read") {
  Scratch t;
  const std::string log = t.path("access.log");
  append(log, "");
  ProxyLogSource::Settings settings;
  settings.settle_ms = 100;
  auto s = ProxyLogSource::open(log, {"127.0.0.1"}, settings);
  s->begin_sync();
  CHECK(read(*s).empty());
  CHECK_FALSE(s->synced());
  usleep(50 * 1000);
  append(log, denied_from("127.0.0.1", "late.test", 1) + "\n");  // logged just after the payload ended
  usleep(80 * 1000);
  const auto events = read(*s);
  REQUIRE(events.size() == 1);
  CHECK(s->synced());
}

TEST_CASE("proxy log source: a sync that runs out of time counts the unread lines as lost") {
  Scratch t;
  const std::string log = t.path("access.log");
  append(log, "");
  ProxyLogSource::Settings settings;
  settings.settle_ms = 0;
  settings.max_read_bytes = 1000;
  auto s = ProxyLogSource::open(log, {"127.0.0.1"}, settings);
  std::string lines;
  for (int i = 0; i < 100; ++i) lines += denied_from("127.0.0.1", "n" + std::to_string(i) + ".test", 443) + "\n";
  append(log, lines);
  s->begin_sync();
  std::vector<Event> events;
  s->read_available(events);  // the deadline passed after this one call
  REQUIRE_FALSE(s->synced());
  CHECK(events.size() + s->lost() == 100);
  while (!s->synced()) s->read_available(events);
  CHECK(events.size() == 100);
  CHECK(s->lost() == 0);
}
