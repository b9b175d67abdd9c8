// Stage: launcher telemetry. One line of the egress proxy's access log, in the format polc's
// squid.conf declares (backends/network/squid.cpp, `logformat polc`), and the refusal it records.
//
//   polc.access/1 TIME CLIENT CLIENT_PORT SQUID_STATUS HTTP_STATUS HOST PORT METHOD URL
//   polc.access/1 1796552719.807 10.200.0.2 48804 TCP_DENIED 403 denied.test 8080 GET http://denied.test:8080/a
//
// Fields are separated by one space. HOST, METHOD and URL are the client's to choose and squid
// %-encodes them (the `#` modifier: every byte outside printable ASCII, space, quote, backslash,
// percent and the other URL-unsafe characters), so no field holds a space or a line break and
// decoding gives back the exact bytes (not necessarily UTF-8). "-" is squid's "no value". squid
// cuts a record at 8 KiB (kSquidRecordBytes); the URL is last so that a cut line still has
// everything else. A line shorter than that must have all ten fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "launcher/telemetry/event.h"

namespace polc::telemetry {

// The logformat squid.conf declares (its `logformat polc` line without the name); a unit test
// checks that the emitter writes exactly this.
inline constexpr std::string_view kProxyLogFormat = "polc.access/1 %ts.%03tu %>a %>p %Ss %>Hs %#>rd %>rP %#rm %#ru";
inline constexpr std::string_view kProxyLogTag = "polc.access/1";
// squid writes at most this many bytes of a record before its newline.
inline constexpr size_t kSquidRecordBytes = 8191;

struct ProxyLogRecord {
  int64_t seconds = 0;  // %ts.%03tu: when squid logged the request
  int64_t millis = 0;
  std::string client;  // %>a, as squid wrote it
  int64_t client_port = 0;
  std::string squid_status;            // %Ss: TCP_DENIED, TCP_MISS, NONE_NONE_ABORTED, ...
  std::optional<int64_t> http_status;  // %>Hs sent to the client
  std::optional<std::string> host;     // %>rd decoded; unset for "-"
  std::optional<int64_t> port;         // %>rP; unset for "-", and when the record was cut in it
  std::optional<std::string> method;   // unset for "-", and when the record was cut inside it
  std::optional<std::string> url;      // unset for "-" and when cut off; partial when `cut`
  bool cut = false;                    // squid cut the record: the method or the URL is incomplete
};

// Parses one line (without its newline). nullopt: not a well-formed polc.access/1 line (another
// format, a torn or garbled line, a bad %-escape).
std::optional<ProxyLogRecord> parse_proxy_log_line(std::string_view line);

// Whether squid refused the request itself (TCP_DENIED, TCP_DENIED_REPLY, with any suffix such
// as _ABORTED), as opposed to forwarding it: a 403 from the origin server is not a refusal.
bool is_proxy_refusal(const ProxyLogRecord& record);

// The refusal as an event: layer proxy, decision "deny", the host, port and method asked for and
// the client's address; time from the record; no process (squid knows only the connection) and
// no rule (the attribution fills it).
Event proxy_refusal_event(const ProxyLogRecord& record);

// Parse, and the event when the line records a refusal.
std::optional<Event> proxy_log_refusal(std::string_view line);

}  // namespace polc::telemetry
