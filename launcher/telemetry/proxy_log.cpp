// Stage: launcher telemetry. The access log's lines (proxy_log.h).
#include "launcher/telemetry/proxy_log.h"

#include <charconv>
#include <vector>

#include "launcher/telemetry/event_json.h"

namespace polc::telemetry {

namespace {

constexpr size_t kFields = 10;
constexpr size_t kRequiredFields = 8;  // through PORT; METHOD and URL may be cut off

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> out;
  size_t at = 0;
  for (;;) {
    const size_t end = line.find(' ', at);
    out.push_back(line.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
    if (end == std::string_view::npos) return out;
    at = end + 1;
  }
}

std::optional<int64_t> integer(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() || text[0] == '-') return std::nullopt;
  return value;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Undoes squid's `#` encoding. A field squid wrote whole has only printable ASCII and well-formed
// escapes; a field the record was cut inside may end in half an escape, which is dropped.
std::optional<std::string> decoded(std::string_view text, bool may_be_cut) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c <= ' ' || c > '~') return std::nullopt;
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 2 >= text.size()) return may_be_cut ? std::optional<std::string>(out) : std::nullopt;
    const int high = hex_digit(text[i + 1]);
    const int low = hex_digit(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

// A client-chosen field: "-" is no value.
bool optional_text(std::string_view field, bool may_be_cut, std::optional<std::string>& out) {
  if (field == "-") return true;
  auto text = decoded(field, may_be_cut);
  if (!text) return false;
  out = std::move(*text);
  return true;
}

bool optional_number(std::string_view field, std::optional<int64_t>& out) {
  if (field == "-") return true;
  out = integer(field);
  return out.has_value();
}

bool squid_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

std::optional<ProxyLogRecord> parse_proxy_log_line(std::string_view line) {
  const std::vector<std::string_view> f = split_spaces(line);
  if (f.size() < kRequiredFields || f.size() > kFields || f[0] != kProxyLogTag) return std::nullopt;
  ProxyLogRecord r;
  // Only squid's own cut makes a short record: a line torn anywhere else is not one.
  r.cut = line.size() >= kSquidRecordBytes;
  if (f.size() < kFields && !r.cut) return std::nullopt;
  for (size_t i = 0; i < f.size(); ++i)
    if (f[i].empty() && !(r.cut && i + 1 == f.size())) return std::nullopt;

  // TIME: seconds, a dot, exactly three digits of milliseconds.
  const size_t dot = f[1].find('.');
  if (dot == std::string_view::npos || f[1].size() - dot - 1 != 3) return std::nullopt;
  const auto seconds = integer(f[1].substr(0, dot));
  const auto millis = integer(f[1].substr(dot + 1));
  if (!seconds || !millis) return std::nullopt;
  r.seconds = *seconds;
  r.millis = *millis;

  if (f[2].empty() || f[2].find_first_not_of("0123456789abcdefABCDEF.:") != std::string_view::npos) return std::nullopt;
  r.client = f[2];
  const auto client_port = integer(f[3]);
  if (!client_port) return std::nullopt;
  r.client_port = *client_port;
  if (!squid_token(f[4])) return std::nullopt;
  r.squid_status = f[4];
  if (!optional_number(f[5], r.http_status)) return std::nullopt;
  if (!optional_text(f[6], false, r.host)) return std::nullopt;
  if (!optional_number(f[7], r.port)) return std::nullopt;
  if (f.size() == kRequiredFields && r.cut) r.port.reset();  // the last field: it may be cut too
  // The method only when the URL's field began after it: otherwise it may be a cut one.
  if (f.size() == kFields && !optional_text(f[8], false, r.method)) return std::nullopt;
  if (f.size() == kFields && !optional_text(f[9], r.cut, r.url)) return std::nullopt;
  if (r.url && r.url->empty()) r.url.reset();
  return r;
}

bool is_proxy_refusal(const ProxyLogRecord& record) {
  const std::string_view status = record.squid_status;
  return status == "TCP_DENIED" || status.starts_with("TCP_DENIED_");
}

Event proxy_refusal_event(const ProxyLogRecord& record) {
  Event e;
  e.time = rfc3339_utc(record.seconds, record.millis * 1000);
  e.layer = Layer::Proxy;
  e.decision = "deny";
  e.request.protocol = "tcp";
  // The proxy knows the requesting connection, not the process: its source address says which
  // sandbox asked (the destination is named by domain and port; squid never connected to it).
  e.request.client = record.client;
  e.request.domain = record.host;
  e.request.port = record.port;
  e.request.method = record.method;
  return e;
}

std::optional<Event> proxy_log_refusal(std::string_view line) {
  const auto record = parse_proxy_log_line(line);
  if (!record || !is_proxy_refusal(*record)) return std::nullopt;
  return proxy_refusal_event(*record);
}

}  // namespace polc::telemetry
