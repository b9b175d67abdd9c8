// Unit tests of the audit channel's pure half: record parsing (launcher/telemetry/audit_records.h),
// events from records (audit_events.h), grouping by stamp (audit_assembler.h) and which events
// are the run's (audit_run_scope.h). The records are as kernel 6.18 writes them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "launcher/telemetry/audit_assembler.h"
#include "launcher/telemetry/audit_events.h"
#include "launcher/telemetry/audit_records.h"
#include "launcher/telemetry/audit_run_scope.h"
#include "launcher/telemetry/audit_source.h"

using namespace polc::telemetry;

namespace {

// As audit_log_n_untrustedstring writes a string that needs escaping: uppercase hex, no quotes.
std::string kernel_hex(std::string_view bytes) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

const std::string kSeccomp =
    "audit(1733480000.123:456): auid=4294967295 uid=0 gid=0 ses=17 pid=9585 comm=\"sh\" exe=\"/usr/bin/dash\" "
    "sig=0 arch=c000003e syscall=110 compat=0 ip=0x7f035400b4f7 code=0x50000";
const std::string kAccess =
    "audit(1733480001.002:900): domain=1f7bff08b blockers=fs.read_file path=\"/etc/ld.so.cache\" dev=\"vda\" "
    "ino=409610";
const std::string kAllocated =
    "audit(1733480001.002:900): domain=1f7bff08b status=allocated mode=enforcing pid=9558 uid=0 "
    "exe=\"/tmp/exp/a\" comm=\"a\"";
const std::string kSyscall =
    "audit(1733480001.002:900): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=7f2e348050b1 "
    "a2=80000 a3=0 items=0 ppid=9554 pid=9558 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 "
    "sgid=0 fsgid=0 tty=(none) ses=17 comm=\"sh\" exe=\"/usr/bin/dash\" key=(null)";
const std::string kProctitle = "audit(1733480001.002:900): proctitle=2F62696E2F7368";
const std::string kEoe = "audit(1733480001.002:900): ";
const std::string kDeallocated = "audit(1733480009.500:990): domain=1f7bff08b status=deallocated denials=3";

std::vector<AssembledEvent> feed(AuditAssembler& assembler,
                                 const std::vector<std::pair<uint16_t, std::string>>& records) {
  std::vector<AssembledEvent> out;
  for (const auto& [type, text] : records) assembler.add(type, text, out);
  return out;
}

std::vector<std::pair<uint16_t, std::string>> landlock_event(const std::string& access) {
  return {{kAuditLandlockAccess, access},
          {kAuditLandlockDomain, kAllocated},
          {kAuditSyscall, kSyscall},
          {kAuditProctitle, kProctitle},
          {kAuditEoe, kEoe}};
}

AssembledEvent one_landlock_event(const std::string& access) {
  AuditAssembler assembler;
  auto events = feed(assembler, landlock_event(access));
  REQUIRE(events.size() == 1);
  return events[0];
}

}  // namespace

TEST_CASE("audit records: stamp and fields") {
  const auto record = parse_audit_record(kAuditSeccomp, kSeccomp);
  REQUIRE(record);
  CHECK(record->type == kAuditSeccomp);
  CHECK(record->stamp == AuditStamp{1733480000, 123, 456});
  CHECK(audit_string(*record, "comm") == "sh");
  CHECK(audit_string(*record, "exe") == "/usr/bin/dash");
  CHECK(audit_decimal(*record, "syscall") == 110);
  CHECK(audit_decimal(*record, "ses") == 17);
  CHECK(audit_hex(*record, "arch") == 0xc000003eu);
  CHECK(audit_hex(*record, "code") == 0x50000u);
  CHECK(audit_hex(*record, "ip") == 0x7f035400b4f7u);
  CHECK_FALSE(audit_decimal(*record, "missing"));
  CHECK(audit_time_rfc3339(record->stamp) == "2024-12-06T10:13:20.123000Z");
}

TEST_CASE("audit records: untrusted strings, quoted or in hex") {
  SUBCASE("hostile bytes come back exactly") {
    const std::string hostile[] = {
        "x y\"z",           "line\nbreak",          "tab\there", std::string("nul\0x", 5), "\xff\xfe not utf-8",
        "ends with space ", "comm=\"forged\" pid=1"};
    for (const auto& bytes : hostile) {
      const std::string text = "audit(1.000:1): pid=5 comm=" + kernel_hex(bytes) + " exe=\"/bin/x\"";
      const auto record = parse_audit_record(kAuditSeccomp, text);
      REQUIRE(record);
      CHECK(audit_string(*record, "comm") == bytes);
      CHECK(audit_decimal(*record, "pid") == 5);  // nothing the string holds becomes a field
      CHECK(record->fields.size() == 3);
    }
  }
  SUBCASE("null and unknown values") {
    const auto record = parse_audit_record(kAuditSyscall, "audit(1.000:1): key=(null) exe=? path=<no_memory>");
    REQUIRE(record);
    CHECK_FALSE(audit_string(*record, "key"));
    CHECK_FALSE(audit_string(*record, "exe"));
    CHECK(audit_string(*record, "path") == "<no_memory>");
  }
  SUBCASE("a quoted value is never decoded") {
    const auto record = parse_audit_record(kAuditSeccomp, "audit(1.000:1): comm=\"ABCD\"");
    REQUIRE(record);
    CHECK(audit_string(*record, "comm") == "ABCD");
  }
}

TEST_CASE("audit records: malformed and truncated text never throws nor crashes") {
  CHECK_FALSE(parse_audit_record(1, ""));
  CHECK_FALSE(parse_audit_record(1, "no stamp here"));
  CHECK_FALSE(parse_audit_record(1, "audit(12:34): x=1"));
  CHECK_FALSE(parse_audit_record(1, "audit(1.2345:1): x=1"));
  CHECK_FALSE(parse_audit_record(1, "audit(99999999999999999999.000:1): x=1"));
  const auto unterminated = parse_audit_record(1, "audit(1.000:1): path=\"/etc/pass");
  REQUIRE(unterminated);
  CHECK(audit_string(*unterminated, "path") == "/etc/pass");
  const auto odd_words = parse_audit_record(1, "audit(1.000:1): avc:  denied  { read } =x k= pid=4");
  REQUIRE(odd_words);
  CHECK(audit_decimal(*odd_words, "pid") == 4);
  static const char with_nuls[] = "audit(1.000:1): pid=4\n\0\0garbage=1";
  const auto trailing = parse_audit_record(1, std::string_view(with_nuls, sizeof with_nuls - 1));
  REQUIRE(trailing);
  CHECK(trailing->fields.size() == 1);
  CHECK_FALSE(audit_decimal(*odd_words, "k"));
  CHECK_FALSE(audit_hex(*parse_audit_record(1, "audit(1.000:1): a0=12345678901234567"), "a0"));
  CHECK_FALSE(audit_decimal(*parse_audit_record(1, "audit(1.000:1): pid=99999999999999999999"), "pid"));

  // Every prefix of every record, through the whole pipeline.
  for (const auto& [type, text] : landlock_event(kAccess)) {
    for (size_t length = 0; length <= text.size(); ++length) {
      AuditAssembler assembler;
      std::vector<AssembledEvent> out;
      CHECK_NOTHROW(assembler.add(type, text.substr(0, length), out));
      CHECK_NOTHROW(assembler.add(kAuditEoe, kEoe, out));
      CHECK_NOTHROW(assembler.complete_all(out));
    }
  }
  const std::string huge = "audit(1.000:1): " + std::string(100000, 'a') + "=" + std::string(100000, '"');
  CHECK_NOTHROW(parse_audit_record(1, huge));
}

TEST_CASE("audit events: seccomp") {
  AuditAssembler assembler;
  const auto events = feed(assembler, {{kAuditSeccomp, kSeccomp}});
  REQUIRE(events.size() == 1);
  const AssembledEvent& got = events[0];
  CHECK(got.kind == AssembledEvent::Kind::Refusal);
  CHECK(got.session == 17u);
  CHECK_FALSE(got.incomplete);
  const Event& event = got.event;
  CHECK(event.layer == Layer::Seccomp);
  CHECK(event.decision == "errno");
  CHECK(event.time == "2024-12-06T10:13:20.123000Z");
  CHECK(event.request.nr == 110);
  CHECK(event.request.arch == "x86_64");
  CHECK_FALSE(event.request.syscall);  // names live in libseccomp, which the launcher does not link
  CHECK_FALSE(event.request.args);     // the record has none
  CHECK(event.process.pid == 9585);
  CHECK(event.process.comm == "sh");
  CHECK(event.process.exe == "/usr/bin/dash");
  CHECK(event.process.uid == 0);
  CHECK_FALSE(event.process.ppid);
}

TEST_CASE("audit events: seccomp actions and arches") {
  CHECK(seccomp_action_name(0x00000000) == "kill_thread");
  CHECK(seccomp_action_name(0x80000000) == "kill_process");
  CHECK(seccomp_action_name(0x00030000) == "trap");
  CHECK(seccomp_action_name(0x00050000) == "errno");
  CHECK(seccomp_action_name(0x0005000d) == "errno");
  CHECK(seccomp_action_name(0x7fc00000) == "user_notif");
  CHECK(seccomp_action_name(0x7ff00000) == "trace");
  CHECK(seccomp_action_name(0x7ffc0000) == "log");
  CHECK(seccomp_action_name(0x12340000) == "unknown(0x12340000)");
  CHECK(audit_arch_name(0xc000003e, 59) == "x86_64");
  CHECK(audit_arch_name(0xc000003e, 0x40000000 + 59) == "x32");
  CHECK(audit_arch_name(0xc000003e, -1) == "x86_64");
  CHECK(audit_arch_name(0x40000003, 11) == "x86");
  CHECK(audit_arch_name(0xc00000b7, 1) == "aarch64");
  CHECK(audit_arch_name(0x40000028, 1) == "arm");
  CHECK(audit_arch_name(0xc00000f3, 1) == "riscv64");
  CHECK(audit_arch_name(0x80000016, 1) == "s390x");
  CHECK(audit_arch_name(0x4000003f, 1) == "0x4000003f");
  const auto hostile = parse_audit_record(
      kAuditSeccomp, "audit(5.000:7): ses=4294967295 pid=3 comm=" + kernel_hex("a\"b c") +
                         " exe=" + kernel_hex("/tmp/x\ny") + " arch=c000003e syscall=1073741883 code=0x80000000");
  REQUIRE(hostile);
  const auto event = assemble_audit_event(std::span<const AuditRecord>(&*hostile, 1));
  REQUIRE(event);
  CHECK(event->event.decision == "kill_process");
  CHECK(event->event.request.arch == "x32");
  CHECK(event->event.process.comm == "a\"b c");
  CHECK(event->event.process.exe == "/tmp/x\ny");
  CHECK_FALSE(event->session);  // unset session
  const auto no_code = parse_audit_record(kAuditSeccomp, "audit(5.000:8): pid=3 arch=c000003e syscall=1");
  REQUIRE(no_code);
  CHECK(assemble_audit_event(std::span<const AuditRecord>(&*no_code, 1))->event.decision == "unknown");
}

TEST_CASE("audit events: a Landlock filesystem denial and its records") {
  const AssembledEvent got = one_landlock_event(kAccess);
  CHECK(got.kind == AssembledEvent::Kind::Refusal);
  CHECK(got.landlock_domain == "1f7bff08b");
  CHECK(got.session == 17u);
  REQUIRE(got.domain);
  CHECK(got.domain->allocated);
  CHECK(got.domain->pid == 9558);
  CHECK(got.domain->exe == "/tmp/exp/a");
  CHECK(got.domain->comm == "a");
  const Event& event = got.event;
  CHECK(event.layer == Layer::Landlock);
  CHECK(event.decision == "deny");
  CHECK(event.time == "2024-12-06T10:13:21.002000Z");
  CHECK(event.request.path == "/etc/ld.so.cache");
  CHECK(event.request.rights == std::vector<std::string>{"read_file"});
  CHECK_FALSE(event.request.scope);
  CHECK(event.request.nr == 257);
  CHECK(event.request.arch == "x86_64");
  CHECK(event.request.args == std::vector<uint64_t>{0xffffff9c, 0x7f2e348050b1, 0x80000, 0});
  CHECK(event.process.pid == 9558);
  CHECK(event.process.ppid == 9554);
  CHECK(event.process.comm == "sh");
  CHECK(event.process.exe == "/usr/bin/dash");
}

TEST_CASE("audit events: Landlock blockers of every kind") {
  SUBCASE("several rights, a hostile path") {
    const std::string path = "/srv/a \"b\"\nc\xff";
    const auto got = one_landlock_event(
        "audit(1733480001.002:900): domain=1f7bff08b blockers=fs.write_file,fs.truncate path=" + kernel_hex(path) +
        " dev=\"vda\" ino=5");
    CHECK(got.event.request.rights == std::vector<std::string>{"write_file", "truncate"});
    CHECK(got.event.request.path == path);
  }
  SUBCASE("a dentry gives its name") {
    const auto got = one_landlock_event(
        "audit(1733480001.002:900): domain=1f7bff08b blockers=fs.make_reg name=\"new.txt\" dev=\"vda\" ino=5");
    CHECK(got.event.request.rights == std::vector<std::string>{"make_reg"});
    CHECK(got.event.request.path == "new.txt");
  }
  SUBCASE("change of topology") {
    const auto got = one_landlock_event(
        "audit(1733480001.002:900): domain=1f7bff08b blockers=fs.change_topology "
        "name=\"mnt\" dev=\"tmpfs\" ino=1");
    CHECK(got.event.request.rights == std::vector<std::string>{"change_topology"});
  }
  SUBCASE("connect") {
    const auto got = one_landlock_event(
        "audit(1733480001.002:900): domain=1f7bff08b blockers=net.connect_tcp daddr=127.0.0.1 dest=8080");
    CHECK(got.event.request.rights == std::vector<std::string>{"connect_tcp"});
    CHECK(got.event.request.protocol == "tcp");
    CHECK(got.event.request.address == "127.0.0.1");
    CHECK(got.event.request.port == 8080);
    CHECK_FALSE(got.event.request.path);
    const auto to_zero =
        one_landlock_event("audit(1733480001.002:900): domain=1f7bff08b blockers=net.connect_tcp saddr=10.0.0.2 src=5");
    CHECK_FALSE(to_zero.event.request.address);  // 0.0.0.0:0 is left out, and the source is not the target
    CHECK_FALSE(to_zero.event.request.port);
  }
  SUBCASE("bind, IPv6 and to any address") {
    auto got =
        one_landlock_event("audit(1733480001.002:900): domain=1f7bff08b blockers=net.bind_tcp saddr=fe80::1 src=9000");
    CHECK(got.event.request.rights == std::vector<std::string>{"bind_tcp"});
    CHECK(got.event.request.address == "fe80::1");
    CHECK(got.event.request.port == 9000);
    got = one_landlock_event("audit(1733480001.002:900): domain=1f7bff08b blockers=net.bind_tcp src=9001");
    CHECK_FALSE(got.event.request.address);
    CHECK(got.event.request.port == 9001);
  }
  SUBCASE("signal scope") {
    const auto got = one_landlock_event(
        "audit(1733480001.002:900): domain=1f7bff08b blockers=scope.signal opid=1234 ocomm=\"victim\"");
    CHECK(got.event.request.scope == "signal");
    CHECK(got.event.request.target_pid == 1234);
    CHECK(got.event.request.rights.empty());
  }
  SUBCASE("abstract unix socket scope") {
    const auto got = one_landlock_event(
        "audit(1733480001.002:900): domain=1f7bff08b blockers=scope.abstract_unix_socket path=00666F6F");
    CHECK(got.event.request.scope == "abstract_unix_socket");
    CHECK(got.event.request.path == "@foo");
  }
  SUBCASE("ptrace") {
    const auto got =
        one_landlock_event("audit(1733480001.002:900): domain=1f7bff08b blockers=ptrace opid=1 ocomm=\"init\"");
    CHECK(got.event.request.scope == "ptrace");
    CHECK(got.event.request.target_pid == 1);
  }
}

TEST_CASE("audit assembler: grouping by stamp") {
  SUBCASE("interleaved events complete at their own EOE") {
    AuditAssembler assembler;
    const std::string other =
        "audit(1733480001.002:901): domain=2a blockers=fs.execute path=\"/bin/x\" dev=\"vda\" ino=3";
    const auto events = feed(assembler, {{kAuditLandlockAccess, kAccess},
                                         {kAuditLandlockAccess, other},
                                         {kAuditSeccomp, kSeccomp},
                                         {kAuditEoe, "audit(1733480001.002:901): "},
                                         {kAuditSyscall, kSyscall},
                                         {kAuditEoe, kEoe}});
    REQUIRE(events.size() == 3);
    CHECK(events[0].event.layer == Layer::Seccomp);
    CHECK(events[1].event.request.path == "/bin/x");
    CHECK_FALSE(events[1].event.process.pid);  // its SYSCALL record did not come
    CHECK(events[2].event.request.path == "/etc/ld.so.cache");
    CHECK(events[2].event.process.pid == 9558);
    CHECK(assembler.pending() == 0);
  }
  SUBCASE("the rest of the system's records open nothing") {
    AuditAssembler assembler;
    const auto events = feed(assembler, {{kAuditSyscall, "audit(7.000:70): arch=c000003e syscall=2 pid=1"},
                                         {kAuditProctitle, "audit(7.000:70): proctitle=6C73"},
                                         {kAuditEoe, "audit(7.000:70): "},
                                         {kAuditConfigChange, "audit(7.000:71): op=set audit_pid=0 old=5 res=1"},
                                         {1400, "audit(7.000:72): apparmor=\"DENIED\""}});
    CHECK(events.empty());
    CHECK(assembler.pending() == 0);
  }
  SUBCASE("a domain's end stands alone") {
    AuditAssembler assembler;
    const auto events = feed(assembler, {{kAuditLandlockDomain, kDeallocated}});
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == AssembledEvent::Kind::Domain);
    CHECK(events[0].landlock_domain == "1f7bff08b");
    REQUIRE(events[0].domain);
    CHECK_FALSE(events[0].domain->allocated);
    CHECK(events[0].domain->denials == 3u);
  }
  SUBCASE("an event without EOE completes by age, by the bound, or at the end") {
    AuditAssembler assembler(2);
    std::vector<AssembledEvent> out;
    assembler.add(kAuditLandlockAccess, kAccess, out);  // stamp 1733480001.002
    assembler.complete_older_than(1733480001002 + 2000, 2000, out);
    CHECK(out.empty());
    assembler.complete_older_than(1733480001002 + 2001, 2000, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].incomplete);
    out.clear();
    for (int serial = 1; serial <= 3; ++serial)
      assembler.add(kAuditLandlockAccess,
                    "audit(9.000:" + std::to_string(serial) + "): domain=1 blockers=fs.read_file path=\"/p\"", out);
    CHECK(out.size() == 1);  // the third pushed the first out
    CHECK(out[0].stamp.serial == 1);
    CHECK(assembler.pending() == 2);
    assembler.complete_all(out);
    CHECK(out.size() == 3);
    CHECK(assembler.pending() == 0);
  }
  SUBCASE("malformed records are counted") {
    AuditAssembler assembler;
    std::vector<AssembledEvent> out;
    assembler.add(kAuditSeccomp, "garbage", out);
    assembler.add(kAuditSeccomp, "", out);
    CHECK(assembler.malformed() == 2);
    CHECK(out.empty());
  }
}

TEST_CASE("audit run scope: the session, the domain, the child") {
  auto seccomp_in = [](std::optional<uint32_t> ses, int64_t pid) {
    AssembledEvent event;
    event.event.layer = Layer::Seccomp;
    event.session = ses;
    event.event.process.pid = pid;
    return event;
  };
  auto landlock_in = [](std::string domain, std::optional<uint32_t> ses, std::optional<int64_t> allocating_pid) {
    AssembledEvent event;
    event.event.layer = Layer::Landlock;
    event.landlock_domain = domain;
    event.session = ses;
    if (allocating_pid) {
      LandlockDomainNotice notice;
      notice.domain = domain;
      notice.allocated = true;
      notice.pid = allocating_pid;
      event.domain = notice;
    }
    return event;
  };
  auto domain_end = [](std::string domain) {
    AssembledEvent event;
    event.kind = AssembledEvent::Kind::Domain;
    event.landlock_domain = domain;
    LandlockDomainNotice notice;
    notice.domain = domain;
    notice.denials = 2;
    event.domain = notice;
    return event;
  };

  SUBCASE("with a session") {
    RunScope scope(42u, 1000);
    CHECK(scope.admit(seccomp_in(42u, 1234)));        // a descendant
    CHECK_FALSE(scope.admit(seccomp_in(41u, 1000)));  // another session, even with the child's pid
    CHECK_FALSE(scope.admit(seccomp_in(std::nullopt, 1000)));
    CHECK(scope.admit(landlock_in("a1", 42u, 1000)));  // our domain, learned here
    CHECK(scope.domains() == std::set<std::string>{"a1"});
    CHECK(scope.admit(landlock_in("a1", std::nullopt, std::nullopt)));  // known domain, no SYSCALL record
    // A domain the payload stacked itself: its denials are not the policy's, whatever the session.
    CHECK_FALSE(scope.admit(landlock_in("b2", 42u, 1500)));
    CHECK_FALSE(scope.admit(landlock_in("b2", 42u, std::nullopt)));
    // A domain whose allocation notice was lost: the session decides.
    CHECK(scope.admit(landlock_in("c3", 42u, std::nullopt)));
    CHECK_FALSE(scope.admit(landlock_in("d4", 7u, std::nullopt)));
    CHECK(scope.admit(domain_end("a1")));
    CHECK_FALSE(scope.admit(domain_end("b2")));
  }
  SUBCASE("without a session, only the child itself") {
    RunScope scope(std::nullopt, 1000);
    CHECK(scope.admit(seccomp_in(std::nullopt, 1000)));
    CHECK(scope.admit(seccomp_in(5u, 1000)));
    CHECK_FALSE(scope.admit(seccomp_in(std::nullopt, 1001)));
  }
}

TEST_CASE("audit source: the session from the exec line") {
  CHECK(audit_session_of_exec_line(R"({"result":"exec","supervisor":{"pid":5,"audit_session":42}})") == 42u);
  CHECK_FALSE(audit_session_of_exec_line(R"({"supervisor":{"audit_session":null}})"));
  CHECK_FALSE(audit_session_of_exec_line(R"({"supervisor":{"audit_session":4294967295}})"));
  CHECK_FALSE(audit_session_of_exec_line(R"({"supervisor":{"audit_session":-3}})"));
  CHECK_FALSE(audit_session_of_exec_line(R"({"supervisor":null})"));
  CHECK_FALSE(audit_session_of_exec_line(R"({"audit_session":42})"));
  CHECK_FALSE(audit_session_of_exec_line("not json"));
  CHECK_FALSE(audit_session_of_exec_line(""));
}
