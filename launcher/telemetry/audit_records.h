// Stage: launcher telemetry. One kernel audit record, as text, turned into its fields: the
// `audit(SECONDS.MILLIS:SERIAL): ` stamp and the `key=value` pairs after it. Pure: no I/O, and
// never throws (a malformed or truncated record yields nullopt or fewer fields, never a crash),
// because the text is partly the payload's (comm, exe, paths) and arrives from the kernel in
// whatever state its buffers were in.
//
// Untrusted strings are written by the kernel's audit_log_untrustedstring: in double quotes when
// every byte is printable and not a quote or space, otherwise as hexadecimal without quotes. So a
// quoted value never holds a space or a quote, and splitting at spaces is exact; audit_string()
// undoes the hex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace polc::telemetry {

// Record types (linux/audit.h; the Landlock ones are newer than some distributions' headers).
inline constexpr uint16_t kAuditSyscall = 1300;
inline constexpr uint16_t kAuditConfigChange = 1305;
inline constexpr uint16_t kAuditEoe = 1320;  // ends an event of several records
inline constexpr uint16_t kAuditSeccomp = 1326;
inline constexpr uint16_t kAuditProctitle = 1327;
inline constexpr uint16_t kAuditLandlockAccess = 1423;
inline constexpr uint16_t kAuditLandlockDomain = 1424;

// Identifies one audit event: all its records carry the same stamp.
struct AuditStamp {
  int64_t seconds = 0;
  uint32_t millis = 0;
  uint64_t serial = 0;
  bool operator==(const AuditStamp&) const = default;
};

struct AuditField {
  std::string key;
  std::string value;  // as written, without the quotes
  bool quoted = false;
};

struct AuditRecord {
  uint16_t type = 0;
  AuditStamp stamp;
  std::vector<AuditField> fields;  // in record order

  // The first field named `key`, or null.
  const AuditField* find(std::string_view key) const;
};

// Parses the text of one record (the netlink payload, which may end in NULs or a newline).
// nullopt when the stamp is missing or malformed; tokens without `=` are skipped.
std::optional<AuditRecord> parse_audit_record(uint16_t type, std::string_view text) noexcept;

// An untrusted string field (comm, exe, path, name, ocomm, dev): the quoted text, or the bytes
// the hex spells (any bytes: quotes, newlines, NULs, not UTF-8). nullopt when absent or written
// as "(null)" or "?". Another unquoted value (the kernel's "<no_memory>") is returned as is.
std::optional<std::string> audit_string(const AuditRecord& record, std::string_view key);
// A decimal field (pid=, syscall=, ses=, ...): nullopt when absent or not a number.
std::optional<int64_t> audit_decimal(const AuditRecord& record, std::string_view key);
// A hexadecimal field, with or without 0x (arch=, code=, a0=, domain=).
std::optional<uint64_t> audit_hex(const AuditRecord& record, std::string_view key);

// RFC 3339, UTC, microseconds: "2026-12-06T10:15:21.123000Z".
std::string audit_time_rfc3339(const AuditStamp& stamp);

}  // namespace polc::telemetry
