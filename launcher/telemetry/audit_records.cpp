// Stage: launcher telemetry. The audit record parser (audit_records.h).
#include "launcher/telemetry/audit_records.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace polc::telemetry {

namespace {

// The kernel never writes more than MAX_AUDIT_MESSAGE_LENGTH (8970) bytes, nor more fields than
// a few dozen: bounds that keep a corrupt record from costing more than a normal one.
constexpr size_t kMaxText = 8970;
constexpr size_t kMaxFields = 256;

// Reads the decimal digits at `text[pos]`; false when there are none or they overflow.
bool read_digits(std::string_view text, size_t& pos, uint64_t& value) {
  const size_t start = pos;
  value = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    const uint64_t digit = static_cast<uint64_t>(text[pos] - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
    ++pos;
  }
  return pos > start;
}

bool consume(std::string_view text, size_t& pos, std::string_view what) {
  if (text.substr(pos, what.size()) != what) return false;
  pos += what.size();
  return true;
}

// "audit(SECONDS.MILLIS:SERIAL): "
std::optional<AuditStamp> read_stamp(std::string_view text, size_t& pos) {
  uint64_t seconds = 0, millis = 0, serial = 0;
  if (!consume(text, pos, "audit(") || !read_digits(text, pos, seconds) || !consume(text, pos, ".") ||
      !read_digits(text, pos, millis) || !consume(text, pos, ":") || !read_digits(text, pos, serial) ||
      !consume(text, pos, "):"))
    return std::nullopt;
  if (seconds > static_cast<uint64_t>(INT64_MAX) || millis > 999) return std::nullopt;
  return AuditStamp{static_cast<int64_t>(seconds), static_cast<uint32_t>(millis), serial};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> decode_hex(std::string_view hex) {
  if (hex.empty() || hex.size() % 2 != 0) return std::nullopt;
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_digit(hex[i]), low = hex_digit(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  return bytes;
}

}  // namespace

const AuditField* AuditRecord::find(std::string_view key) const {
  for (const auto& field : fields)
    if (field.key == key) return &field;
  return nullptr;
}

std::optional<AuditRecord> parse_audit_record(uint16_t type, std::string_view text) noexcept try {
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) text = text.substr(0, nul);
  if (text.size() > kMaxText) text = text.substr(0, kMaxText);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);

  size_t pos = 0;
  const auto stamp = read_stamp(text, pos);
  if (!stamp) return std::nullopt;
  AuditRecord record;
  record.type = type;
  record.stamp = *stamp;
  while (pos < text.size() && record.fields.size() < kMaxFields) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    const size_t token_end = std::min(text.find(' ', pos), text.size());
    const size_t equals = text.find('=', pos);
    if (equals == std::string_view::npos || equals >= token_end || equals == pos) {
      pos = token_end;  // a word without a value ("avc:  denied  {"): not a field
      continue;
    }
    AuditField field;
    field.key = std::string(text.substr(pos, equals - pos));
    pos = equals + 1;
    if (pos < text.size() && text[pos] == '"') {
      // A quoted value ends at the next quote: the kernel quotes only values without quotes. An
      // unterminated one (a truncated record) runs to the end.
      const size_t close = std::min(text.find('"', pos + 1), text.size());
      field.value = std::string(text.substr(pos + 1, close - pos - 1));
      field.quoted = true;
      pos = close + 1;
    } else {
      const size_t end = std::min(text.find(' ', pos), text.size());
      field.value = std::string(text.substr(pos, end - pos));
      pos = end;
    }
    record.fields.push_back(std::move(field));
  }
  return record;
} catch (...) {
  return std::nullopt;  // allocation failure: the record is lost, the reader goes on
}

std::optional<std::string> audit_string(const AuditRecord& record, std::string_view key) {
  const AuditField* field = record.find(key);
  if (!field) return std::nullopt;
  if (field->quoted) return field->value;
  if (field->value == "(null)" || field->value == "?" || field->value.empty()) return std::nullopt;
  if (auto bytes = decode_hex(field->value)) return bytes;
  return field->value;
}

std::optional<int64_t> audit_decimal(const AuditRecord& record, std::string_view key) {
  const AuditField* field = record.find(key);
  if (!field || field->quoted) return std::nullopt;
  std::string_view text = field->value;
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  size_t pos = 0;
  uint64_t value = 0;
  if (!read_digits(text, pos, value) || pos != text.size()) return std::nullopt;
  if (value > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
}

std::optional<uint64_t> audit_hex(const AuditRecord& record, std::string_view key) {
  const AuditField* field = record.find(key);
  if (!field || field->quoted) return std::nullopt;
  std::string_view text = field->value;
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  if (text.empty() || text.size() > 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    const int digit = hex_digit(c);
    if (digit < 0) return std::nullopt;
    value = value * 16 + static_cast<uint64_t>(digit);
  }
  return value;
}

std::string audit_time_rfc3339(const AuditStamp& stamp) {
  const time_t seconds = static_cast<time_t>(stamp.seconds);
  struct tm utc {};
  if (!gmtime_r(&seconds, &utc)) return "1970-01-01T00:00:00.000000Z";
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03u000Z", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, stamp.millis % 1000);
  return text;
}

}  // namespace polc::telemetry
