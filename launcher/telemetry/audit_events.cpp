// Stage: launcher telemetry. From the records of one audit event to a refusal (audit_events.h).
#include "launcher/telemetry/audit_events.h"

#include <algorithm>
#include <cstdio>

namespace polc::telemetry {

namespace {

constexpr uint64_t kUnsetSession = 4294967295u;  // AUDIT_SID_UNSET
constexpr uint64_t kX32SyscallBit = 0x40000000;

const AuditRecord* first_of_type(std::span<const AuditRecord> records, uint16_t type) {
  for (const auto& record : records)
    if (record.type == type) return &record;
  return nullptr;
}

std::string hex_text(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

std::optional<uint32_t> session_of(const AuditRecord& record) {
  const auto ses = audit_decimal(record, "ses");
  if (!ses || *ses < 0 || static_cast<uint64_t>(*ses) >= kUnsetSession) return std::nullopt;
  return static_cast<uint32_t>(*ses);
}

void fill_syscall(Request& request, const AuditRecord& record) {
  request.nr = audit_decimal(record, "syscall");
  if (const auto arch = audit_hex(record, "arch")) request.arch = audit_arch_name(*arch, request.nr.value_or(0));
}

void fill_process(Process& process, const AuditRecord& record) {
  process.pid = audit_decimal(record, "pid");
  process.ppid = audit_decimal(record, "ppid");
  process.comm = audit_string(record, "comm");
  process.exe = audit_string(record, "exe");
  process.uid = audit_decimal(record, "uid");
}

std::optional<LandlockDomainNotice> domain_notice(const AuditRecord& record) {
  const AuditField* domain = record.find("domain");
  const AuditField* status = record.find("status");
  if (!domain || !status) return std::nullopt;
  LandlockDomainNotice notice;
  notice.domain = domain->value;
  notice.allocated = status->value == "allocated";
  if (notice.allocated) {
    notice.pid = audit_decimal(record, "pid");
    notice.exe = audit_string(record, "exe");
    notice.comm = audit_string(record, "comm");
  } else if (const auto denials = audit_decimal(record, "denials"); denials && *denials >= 0) {
    notice.denials = static_cast<uint64_t>(*denials);
  }
  return notice;
}

AssembledEvent seccomp_event(const AuditRecord& record) {
  AssembledEvent out;
  out.stamp = record.stamp;
  out.session = session_of(record);
  Event& event = out.event;
  event.time = audit_time_rfc3339(record.stamp);
  event.layer = Layer::Seccomp;
  const auto code = audit_hex(record, "code");
  event.decision = code ? seccomp_action_name(*code) : "unknown";
  fill_syscall(event.request, record);
  fill_process(event.process, record);
  return out;
}

// What the blockers name: rights (fs.*, net.*, and fs.change_topology as "change_topology"),
// or a scope (scope.*, and "ptrace", Landlock's other cross-domain restriction).
void read_blockers(Request& request, std::string_view blockers, bool& network) {
  while (!blockers.empty()) {
    const size_t comma = blockers.find(',');
    std::string_view blocker = blockers.substr(0, comma);
    blockers = comma == std::string_view::npos ? std::string_view{} : blockers.substr(comma + 1);
    if (blocker.empty()) continue;
    if (blocker.starts_with("scope.")) {
      request.scope = std::string(blocker.substr(6));
    } else if (blocker == "ptrace") {
      request.scope = "ptrace";
    } else if (blocker.starts_with("net.")) {
      network = true;
      request.rights.emplace_back(blocker.substr(4));
    } else {
      if (blocker.starts_with("fs.")) blocker.remove_prefix(3);
      request.rights.emplace_back(blocker);
    }
  }
}

AssembledEvent landlock_event(std::span<const AuditRecord> records, const AuditRecord& access) {
  AssembledEvent out;
  out.stamp = access.stamp;
  if (const AuditField* domain = access.find("domain")) out.landlock_domain = domain->value;
  Event& event = out.event;
  event.time = audit_time_rfc3339(access.stamp);
  event.layer = Layer::Landlock;
  event.decision = "deny";
  Request& request = event.request;
  bool network = false;
  if (const AuditField* blockers = access.find("blockers")) read_blockers(request, blockers->value, network);
  if (network) {
    request.protocol = "tcp";  // Landlock's network rights are TCP's
    // connect logs the destination (daddr, dest), bind the local end (saddr, src); each is left
    // out when zero.
    const bool connect = std::find(request.rights.begin(), request.rights.end(), "connect_tcp") != request.rights.end();
    request.address = audit_string(access, connect ? "daddr" : "saddr");
    request.port = audit_decimal(access, connect ? "dest" : "src");
  } else {
    request.path = audit_string(access, "path");
    if (!request.path) request.path = audit_string(access, "name");  // a dentry: its last component only
    // An abstract unix socket's name starts with a NUL byte; written "@name" as ss(8) does.
    if (request.path && !request.path->empty() && request.path->front() == '\0') request.path->front() = '@';
  }
  request.target_pid = audit_decimal(access, "opid");
  // Older kernels put the process in the access record itself; the SYSCALL record supersedes it.
  fill_process(event.process, access);
  for (const auto& record : records) {
    if (record.type == kAuditLandlockDomain) {
      if (auto notice = domain_notice(record); notice && notice->allocated) out.domain = std::move(notice);
    } else if (record.type == kAuditSyscall) {
      fill_process(event.process, record);
      fill_syscall(request, record);
      out.session = session_of(record);
      std::vector<uint64_t> args;
      for (const char* key : {"a0", "a1", "a2", "a3"}) {
        const auto value = audit_hex(record, key);
        if (!value) break;
        args.push_back(*value);
      }
      if (!args.empty()) request.args = std::move(args);
    }
  }
  return out;
}

}  // namespace

std::string audit_arch_name(uint64_t audit_arch, int64_t nr) {
  switch (audit_arch) {
    case 0xc000003e: return nr >= 0 && (static_cast<uint64_t>(nr) & kX32SyscallBit) ? "x32" : "x86_64";
    case 0x40000003: return "x86";
    case 0xc00000b7: return "aarch64";
    case 0x40000028: return "arm";
    case 0xc00000f3: return "riscv64";
    case 0x80000016: return "s390x";
    default: return hex_text(audit_arch);
  }
}

std::string seccomp_action_name(uint64_t code) {
  switch (code & 0xffff0000u) {  // SECCOMP_RET_ACTION_FULL
    case 0x80000000u: return "kill_process";
    case 0x00000000u: return "kill_thread";
    case 0x00030000u: return "trap";
    case 0x00050000u: return "errno";
    case 0x7fc00000u: return "user_notif";
    case 0x7ff00000u: return "trace";
    case 0x7ffc0000u: return "log";
    case 0x7fff0000u: return "allow";
    default: return "unknown(" + hex_text(code) + ")";
  }
}

std::optional<AssembledEvent> assemble_audit_event(std::span<const AuditRecord> records) {
  if (const AuditRecord* seccomp = first_of_type(records, kAuditSeccomp)) return seccomp_event(*seccomp);
  if (const AuditRecord* access = first_of_type(records, kAuditLandlockAccess)) return landlock_event(records, *access);
  if (const AuditRecord* domain = first_of_type(records, kAuditLandlockDomain)) {
    auto notice = domain_notice(*domain);
    if (!notice) return std::nullopt;
    AssembledEvent out;
    out.kind = AssembledEvent::Kind::Domain;
    out.stamp = domain->stamp;
    out.landlock_domain = notice->domain;
    out.domain = std::move(notice);
    return out;
  }
  return std::nullopt;
}

}  // namespace polc::telemetry
