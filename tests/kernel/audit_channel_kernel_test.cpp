// kernel.audit_channel: the audit channel (launcher/telemetry/audit_channel.h) on the real kernel.
// A forked child takes a new audit session, confines itself with a logging Landlock ruleset
// (ABI 7 flags) and a SECCOMP_FILTER_FLAG_LOG errno filter, execs this program as the payload, and
// makes four refused calls under a hostile comm: getpriority (seccomp), open /etc/hostname and open
// a file whose name holds quotes, a space and a newline (Landlock read_file), connect to
// 127.0.0.1 (Landlock connect_tcp). The channel must yield exactly those four events for the run,
// with the right syscall, path, rights, address, port and pid; and close() must leave audit's
// reader and `enabled` as they were. Then: two channels at once hand the registration over; the
// channel without CAP_AUDIT_CONTROL joins the multicast group and as nobody says it cannot read
// audit; a payload flooding refusals loses none silently; a killed reader is replaced.
// Exit status 77 (skipped): not root, audit unavailable, Landlock older than ABI 7, or not x86_64.
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "launcher/landlock_uapi.h"
#include "launcher/telemetry/audit_channel.h"
#include "launcher/telemetry/audit_netlink.h"
#include "launcher/telemetry/audit_run_scope.h"
#include "launcher/telemetry/audit_session.h"
#include "launcher/telemetry/audit_source.h"

using namespace polc::telemetry;
namespace uapi = polc::launcher::uapi;

namespace {

constexpr int kSkip = 77;
constexpr char kHostileComm[] = "x y\"z";
constexpr char kHostileName[] = "a \"b\"\nc";
constexpr uint16_t kRefusedPort = 9;
// landlock_restrict_self(2) flags of ABI 7, newer than Debian 12's headers.
constexpr uint32_t kLogSameExecOff = 1u << 0;
constexpr uint32_t kLogNewExecOn = 1u << 1;
constexpr uint64_t kFsExecute = 1u << 0, kFsWriteFile = 1u << 1, kFsReadFile = 1u << 2, kFsReadDir = 1u << 3;
constexpr uint64_t kNetConnectTcp = 1u << 1;

int failures = 0;
#define EXPECT(condition)                                                           \
  do {                                                                              \
    if (!(condition)) {                                                             \
      std::fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #condition); \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "child: %s: %s\n", what, std::strerror(errno));
  _exit(2);
}

// The flooding payload: `count` refused calls in a row.
int flood(long count) {
  for (long i = 0; i < count; ++i) {
    errno = 0;
    if (syscall(SYS_getpriority, PRIO_PROCESS, 0) != -1 || errno != EPERM) return 1;
  }
  return 0;
}

// The payload, after exec: each call must be refused the way the child's layers say.
int payload(const char* hostile_path) {
  int bad = 0;
  prctl(PR_SET_NAME, kHostileComm);
  errno = 0;
  if (syscall(SYS_getpriority, PRIO_PROCESS, 0) != -1 || errno != EPERM) ++bad;
  if (open("/etc/hostname", O_RDONLY | O_CLOEXEC) != -1 || errno != EACCES) ++bad;
  if (open(hostile_path, O_RDONLY | O_CLOEXEC) != -1 || errno != EACCES) ++bad;
  const int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in to {};
  to.sin_family = AF_INET;
  to.sin_port = htons(kRefusedPort);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(sock, reinterpret_cast<sockaddr*>(&to), sizeof to) != -1 || errno != EACCES) ++bad;
  return bad == 0 ? 0 : 1;
}

void allow_path(int ruleset, const char* path, uint64_t rights) {
  const int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) return;  // not on this system
  struct stat st {};
  fstat(fd, &st);
  uapi::LandlockPathBeneathAttr rule{S_ISDIR(st.st_mode) ? rights : rights & (kFsExecute | kFsReadFile), fd};
  if (uapi::add_rule(ruleset, uapi::kRulePathBeneath, &rule) != 0) die("landlock_add_rule");
  close(fd);
}

// In the forked child: a new audit session (reported on `report`), then Landlock, then seccomp,
// then exec.
[[noreturn]] void confine_and_exec(const char* self, const char* mode, const char* argument, int report) {
  const auto session = start_new_audit_session();
  const uint32_t id = session.session.value_or(0xffffffffu);
  if (write(report, &id, sizeof id) != sizeof id) die("write");
  close(report);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs");

  uapi::LandlockRulesetAttr attr{kFsExecute | kFsWriteFile | kFsReadFile | kFsReadDir, kNetConnectTcp, 0};
  const int ruleset = static_cast<int>(uapi::create_ruleset(&attr, sizeof attr, 0));
  if (ruleset < 0) die("landlock_create_ruleset");
  for (const char* dir : {"/usr", "/lib", "/lib64", "/bin"})
    allow_path(ruleset, dir, kFsExecute | kFsReadFile | kFsReadDir);
  allow_path(ruleset, "/etc/ld.so.cache", kFsReadFile);
  allow_path(ruleset, "/proc", kFsReadFile | kFsReadDir);  // a sanitizer build's runtime reads it
  allow_path(ruleset, self, kFsExecute | kFsReadFile);
  if (syscall(uapi::kSysRestrictSelf, ruleset, kLogSameExecOff | kLogNewExecOn) != 0) die("landlock_restrict_self");

  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpriority, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog program = {static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, &program) != 0) die("seccomp");
  execl(self, self, mode, argument, static_cast<char*>(nullptr));
  die("execl");
}

int landlock_abi() { return static_cast<int>(uapi::create_ruleset(nullptr, 0, uapi::kCreateRulesetVersion)); }

// False for a process that is gone or a zombie (it has closed every socket it had).
bool process_alive(pid_t pid) {
  std::FILE* stat = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!stat) return false;
  char line[512] = {};
  const bool read = std::fgets(line, sizeof line, stat) != nullptr;
  std::fclose(stat);
  const char* end = read ? std::strrchr(line, ')') : nullptr;
  return end && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

bool status_now(audit_netlink::Status& status) {
  int error = 0;
  auto fd = audit_netlink::open_socket(false, error);
  return fd && audit_netlink::get_status(fd->get(), status) == 0;
}

std::string describe(const AssembledEvent& event) {
  const Request& r = event.event.request;
  std::string text = std::string(layer_name(event.event.layer)) + " " + event.event.decision;
  if (r.nr) text += " nr=" + std::to_string(*r.nr);
  if (r.path) text += " path=" + *r.path;
  for (const auto& right : r.rights) text += " right=" + right;
  if (event.event.process.pid) text += " pid=" + std::to_string(*event.event.process.pid);
  if (event.session) text += " ses=" + std::to_string(*event.session);
  return text;
}

// Two channels at once, as two concurrent sbx-exec runs: the first registers, the second joins
// the multicast group; when the first closes (turning audit off again), the second takes the
// registration over, and its own close restores what the first found.
void check_handover(const audit_netlink::Status& before) {
  std::unique_ptr<AuditChannel> second;
  {
    AuditChannel first;
    EXPECT(first.access() == AuditAccess::Reader);
    if (first.access() != AuditAccess::Reader) std::printf("first: %s\n", first.message().c_str());
    second = std::make_unique<AuditChannel>();
    EXPECT(second->access() == AuditAccess::Multicast);
  }
  std::vector<AssembledEvent> events;
  const auto start = std::chrono::steady_clock::now();
  while (second->access() != AuditAccess::Reader &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
    struct pollfd ready = {second->fd(), POLLIN, 0};
    poll(&ready, 1, 100);
    second->read_available(events);
  }
  EXPECT(second->access() == AuditAccess::Reader);
  EXPECT(second->takeovers() == 1);
  audit_netlink::Status during;
  EXPECT(status_now(during) && during.pid == static_cast<uint32_t>(getpid()) && during.enabled == 1);
  second.reset();
  audit_netlink::Status after;
  EXPECT(status_now(after) && after.pid == before.pid && after.enabled == before.enabled);
}

// In a forked child: drops CAP_AUDIT_CONTROL (keeps CAP_AUDIT_READ): the channel joins the
// multicast group; then drops to nobody: the channel says it is unavailable, and why. Neither
// changes audit's status.
void check_without_privileges() {
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == 0) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {};
    if (syscall(SYS_capget, &header, data) != 0) _exit(3);
    data[CAP_AUDIT_CONTROL / 32].effective &= ~(1u << (CAP_AUDIT_CONTROL % 32));
    if (syscall(SYS_capset, &header, data) != 0) _exit(3);
    {
      AuditChannel member;
      if (member.access() != AuditAccess::Multicast) {
        std::printf("without CAP_AUDIT_CONTROL: %s\n", member.message().c_str());
        std::fflush(stdout);
        _exit(4);
      }
    }
    if (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
      _exit(3);
    AuditChannel none;
    std::printf("as nobody: %s: %s\n", audit_access_name(none.access()), none.message().c_str());
    std::fflush(stdout);
    _exit(none.access() == AuditAccess::Unavailable && none.fd() == -1 &&
                  none.message().find("not available") != std::string::npos
              ? 0
              : 5);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// The same run through AuditSource, as the supervisor drives it: events held until the payload
// starts, attributed, and the end found by the sync marker rather than by waiting.
void check_source(const char* self, const std::string& hostile_path) {
  auto channel = std::make_unique<AuditChannel>();
  if (channel->access() == AuditAccess::Unavailable) return;
  int attributed = 0;
  AuditSource source(std::move(channel), [&](Event& event) {
    event.rule.known = true;
    ++attributed;
  });
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return;
  const pid_t child = fork();
  if (child == 0) confine_and_exec(self, "payload", hostile_path.c_str(), report[1]);
  close(report[1]);
  uint32_t session = 0xffffffffu;
  if (read(report[0], &session, sizeof session) != sizeof session) session = 0xffffffffu;
  close(report[0]);
  std::vector<Event> events;
  int status = 0;
  while (waitpid(child, &status, WNOHANG) != child) {  // the payload runs before it "starts": held
    struct pollfd ready = {source.fd(), POLLIN, 0};
    poll(&ready, 1, 20);
    source.read_available(events);
  }
  EXPECT(events.empty());
  source.payload_started(child, "{\"supervisor\":{\"audit_session\":" + std::to_string(session) + "}}");
  source.begin_sync();
  const auto start = std::chrono::steady_clock::now();
  while (!source.synced() && std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
    struct pollfd ready = {source.fd(), POLLIN, 0};
    poll(&ready, 1, 20);
    source.read_available(events);
  }
  EXPECT(source.synced());
  EXPECT(events.size() == 4);
  EXPECT(attributed == 4);
  EXPECT(source.lost() == 0);
}

// A supervisor killed while it is the reader cannot restore anything: the next channel must
// still become the reader (it makes the kernel notice the dead one). Audit stays on, as
// docs/telemetry.md says; the test puts it back as it was.
void check_killed_reader(const audit_netlink::Status& before) {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return;
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == 0) {
    AuditChannel doomed;
    const char state = doomed.access() == AuditAccess::Reader ? 'r' : 'x';
    if (write(ready[1], &state, 1) != 1) _exit(3);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char state = 0;
  EXPECT(read(ready[0], &state, 1) == 1 && state == 'r');
  close(ready[0]);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  {
    AuditChannel next;
    if (next.access() != AuditAccess::Reader) std::printf("after a killed reader: %s\n", next.message().c_str());
    EXPECT(next.access() == AuditAccess::Reader);
  }
  audit_netlink::Status after;
  EXPECT(status_now(after) && after.pid == 0);
  int error = 0;
  if (auto fd = audit_netlink::open_socket(false, error)) {
    audit_netlink::StatusChange restore;
    restore.enabled = before.enabled;
    restore.backlog_limit = before.backlog_limit;
    EXPECT(audit_netlink::set_status(fd->get(), restore) == 0);
  }
}

// A payload that floods refusals: it is slowed to the channel's pace rather than its records
// dropped (seccomp's records wait for room in the kernel's queue), nothing hangs, and every
// refusal is either an event or counted as lost.
void check_flood(const char* self) {
  constexpr long kCalls = 20000;
  AuditChannel channel;
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return;
  const auto start = std::chrono::steady_clock::now();
  const pid_t child = fork();
  if (child == 0) confine_and_exec(self, "flood", std::to_string(kCalls).c_str(), report[1]);
  close(report[1]);
  uint32_t session = 0xffffffffu;
  if (read(report[0], &session, sizeof session) != sizeof session) session = 0xffffffffu;
  close(report[0]);
  RunScope scope(session, child);
  long events = 0;
  int status = 0;
  bool exited = false;
  auto last_event = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
    if (!exited && waitpid(child, &status, WNOHANG) == child) exited = true;
    if (exited && (events >= kCalls || std::chrono::steady_clock::now() - last_event > std::chrono::milliseconds(500)))
      break;
    struct pollfd ready = {channel.fd(), POLLIN, 0};
    poll(&ready, 1, 50);
    std::vector<AssembledEvent> got;
    channel.read_available(got, 4096);
    for (const auto& event : got) {
      if (event.kind == AssembledEvent::Kind::Refusal && event.event.layer == Layer::Seccomp && scope.admit(event)) {
        ++events;
        last_event = std::chrono::steady_clock::now();
      }
    }
  }
  if (!exited) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  const uint64_t lost = channel.lost_delta();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::printf("flood: %ld calls, %ld events, %llu lost, %lld ms\n", kCalls, events,
              static_cast<unsigned long long>(lost), static_cast<long long>(elapsed.count()));
  EXPECT(exited && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT(events <= kCalls);
  EXPECT(events + static_cast<long>(lost) >= kCalls);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "payload") return payload(argv[2]);
  if (argc == 3 && std::string(argv[1]) == "flood") return flood(std::atol(argv[2]));
  if (geteuid() != 0) {
    std::puts("skipped: needs root (audit's reader registration, CAP_AUDIT_CONTROL)");
    return kSkip;
  }
  if (landlock_abi() < 7) {
    std::puts("skipped: needs Landlock ABI 7 (audit logging flags)");
    return kSkip;
  }
  audit_netlink::Status before;
  if (!status_now(before)) {
    std::puts("skipped: audit's status cannot be read here");
    return kSkip;
  }

  char dir[] = "/tmp/polc-audit-XXXXXX";
  if (!mkdtemp(dir)) return 2;
  const std::string hostile_path = std::string(dir) + "/" + kHostileName;
  if (FILE* file = std::fopen(hostile_path.c_str(), "w")) {
    std::fputs("secret\n", file);
    std::fclose(file);
  }
  char self[4096] = {};
  if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) return 2;

  int exit_code = 0;
  {
    AuditChannel channel;
    std::printf("audit channel: %s: %s\n", audit_access_name(channel.access()), channel.message().c_str());
    if (channel.access() == AuditAccess::Unavailable) {
      exit_code = kSkip;
    } else {
      int report[2];
      if (pipe2(report, O_CLOEXEC) != 0) return 2;
      const pid_t child = fork();
      if (child == 0) confine_and_exec(self, "payload", hostile_path.c_str(), report[1]);
      close(report[1]);
      uint32_t session = 0xffffffffu;
      if (read(report[0], &session, sizeof session) != sizeof session) session = 0xffffffffu;
      close(report[0]);
      EXPECT(session != 0xffffffffu);

      RunScope scope(session != 0xffffffffu ? std::optional<uint32_t>(session) : std::nullopt, child);
      std::vector<AssembledEvent> ours;
      std::optional<uint64_t> denials_at_end;
      int status = 0;
      bool exited = false;
      const auto start = std::chrono::steady_clock::now();
      // Until the child is gone and four refusals and the domain's end are in, or 5 s.
      while (std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
        if (!exited && waitpid(child, &status, WNOHANG) == child) exited = true;
        if (exited && ours.size() >= 4 && denials_at_end) break;
        struct pollfd ready = {channel.fd(), POLLIN, 0};
        poll(&ready, 1, 100);
        std::vector<AssembledEvent> events;
        channel.read_available(events);
        if (exited && ours.size() >= 4) channel.flush(events);
        for (auto& event : events) {
          if (!scope.admit(event)) continue;
          if (event.kind == AssembledEvent::Kind::Domain) {
            denials_at_end = event.domain->denials;
          } else {
            std::printf("event: %s\n", describe(event).c_str());
            ours.push_back(std::move(event));
          }
        }
      }
      if (!exited) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
      }
      EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);  // every call was refused as expected

      EXPECT(ours.size() == 4);
      int seen = 0;
      for (const auto& event : ours) {
        const Event& e = event.event;
        EXPECT(!event.incomplete);
        EXPECT(e.process.pid == child);
        EXPECT(e.process.comm == kHostileComm);
        EXPECT(event.session == session);
        if (e.layer == Layer::Seccomp) {
          seen |= 1;
          EXPECT(e.decision == "errno");
          EXPECT(e.request.nr == SYS_getpriority);
          EXPECT(e.request.arch == "x86_64");
        } else if (e.request.path == "/etc/hostname") {
          seen |= 2;
          EXPECT(e.request.rights == std::vector<std::string>{"read_file"});
          EXPECT(e.request.nr == SYS_openat);
          EXPECT(e.request.args && e.request.args->size() == 4);
          EXPECT(event.domain && event.domain->pid == child);  // the domain's first denial
        } else if (e.request.path == hostile_path) {
          seen |= 4;
          EXPECT(e.request.rights == std::vector<std::string>{"read_file"});
          EXPECT(e.process.ppid == getpid());
        } else if (e.request.port) {
          seen |= 8;
          EXPECT(e.request.rights == std::vector<std::string>{"connect_tcp"});
          EXPECT(e.request.address == "127.0.0.1");
          EXPECT(e.request.port == kRefusedPort);
          EXPECT(e.request.nr == SYS_connect);
        }
      }
      EXPECT(seen == 15);
      EXPECT(scope.domains().size() == 1);
      // The domain's end is logged by a kernel worker some time after the child is reaped.
      if (denials_at_end) EXPECT(*denials_at_end == 3);
      else std::puts("note: the Landlock domain's end was not logged within 5 s");
      std::printf("lost since open: %llu\n", static_cast<unsigned long long>(channel.lost_delta()));
    }
  }
  // Only where no audit daemon is registered: beside one, both channels would be members.
  if (exit_code == 0 && before.pid == 0) check_handover(before);
  if (exit_code == 0) check_without_privileges();
  if (exit_code == 0) check_flood(self);
  if (exit_code == 0) check_source(self, hostile_path);
  if (exit_code == 0 && before.pid == 0 && before.enabled != 2) check_killed_reader(before);
  audit_netlink::Status after;
  EXPECT(status_now(after));
  EXPECT(after.enabled == before.enabled);
  // A reader that died while registered stays audit's pid until the kernel next fails to send it a
  // record, which then clears it: nobody can give the registration back to a dead process.
  if (after.pid != before.pid) std::printf("audit's reader: %u before, %u after\n", before.pid, after.pid);
  EXPECT(after.pid == before.pid || (after.pid == 0 && !process_alive(static_cast<pid_t>(before.pid))));
  EXPECT(after.backlog_limit == before.backlog_limit);

  unlink(hostile_path.c_str());
  rmdir(dir);
  if (exit_code == kSkip) return kSkip;
  std::printf("%s: %d failure(s)\n", failures ? "FAILED" : "passed", failures);
  return failures ? 1 : 0;
}
