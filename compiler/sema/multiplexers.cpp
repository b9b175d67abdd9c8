// Stage: sema. On x86 and s390x the socket calls can also be made through socketcall(2) and the
// SysV IPC calls through ipc(2), which carry their arguments in memory where seccomp cannot see
// them. A rule that restricts `socket` there is only as strong as the policy's treatment of the
// multiplexer: warn when the multiplexer stays open.
#include "compiler/sema/multiplexers.h"

#include <algorithm>
#include <array>

#include "compiler/sema/syscall_table.h"

namespace polc::sema {

namespace {

struct Multiplexer {
  std::string_view name;
  std::array<std::string_view, 20> members;  // empty entries unused
};

constexpr Multiplexer kMultiplexers[] = {
    {"socketcall", {"socket",     "socketpair", "bind",        "connect",     "listen", "accept",  "accept4",
                    "getsockopt", "setsockopt", "getsockname", "getpeername", "sendto", "sendmsg", "recvfrom",
                    "recvmsg",    "shutdown",   "sendmmsg",    "recvmmsg",    "send",   "recv"}},
    {"ipc",
     {"semget", "semctl", "semop", "semtimedop", "shmget", "shmctl", "shmat", "shmdt", "msgget", "msgsnd", "msgrcv",
      "msgctl"}},
};

// Actions under which the call itself may still run: allowed, logged, or handed to a tracer or a
// user-space supervisor (which can let it continue without seeing the arguments in memory).
bool lets_through(const ir::Action& a) {
  return a.kind == ir::ActionKind::Allow || a.kind == ir::ActionKind::Log || a.kind == ir::ActionKind::Trace ||
         a.kind == ir::ActionKind::UserNotif;
}

// Whether calls to `nr` can pass: some rule lets them through, or no rule covers them and the
// default does.
bool reachable(const ir::Policy& p, const ir::ArchFilter& f, int nr) {
  bool any_rule = false;
  for (const ir::SyscallRule& r : f.rules) {
    if (r.nr != nr) continue;
    any_rule = true;
    if (lets_through(r.action)) return true;
  }
  return !any_rule && lets_through(p.syscalls.default_action);
}

}  // namespace

void check_multiplexers(diag::Engine& diags, const ir::Policy& p) {
  for (const ir::ArchFilter& f : p.syscalls.arches) {
    if (f.arch != arch::Arch::x86 && f.arch != arch::Arch::s390x) continue;
    for (const Multiplexer& m : kMultiplexers) {
      auto mux = syscall_number(m.name, f.arch);
      if (!mux || !reachable(p, f, *mux)) continue;
      for (const ir::SyscallRule& r : f.rules) {
        const bool member = std::find(m.members.begin(), m.members.end(), r.syscall) != m.members.end();
        const bool plain_allow = r.action.kind == ir::ActionKind::Allow || r.action.kind == ir::ActionKind::Log;
        const bool restricts = !plain_allow || !(r.when.size() == 1 && r.when[0].empty());
        if (!member || !restricts || r.origins.empty()) continue;
        diags
            .report(diag::Code::MultiplexerBypass, r.origins.front().range,
                    "on " + std::string(arch::name(f.arch)) + ", `" + r.syscall + "` can also be called through `" +
                        std::string(m.name) + "`, which this policy lets through")
            .note("the multiplexer passes its arguments in memory, where seccomp cannot check them")
            .with_help("deny or kill `" + std::string(m.name) + "` so that this rule cannot be bypassed");
      }
    }
  }
}

}  // namespace polc::sema
