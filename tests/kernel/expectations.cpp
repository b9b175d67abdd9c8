// The expectation table and the verdict logic (see expectations.h).
//
// Columns: python_agent (py), node_agent (node), ci_build (ci), minimal_static (min), os_layer
// (os: ci_build's syscall rules with the OS layer added, so its column is ci's). Each `why`
// names the lines that decide the call; the test also checks every entry against `polc ir`
// (ir_oracle.h), which names the deciding rule again in failure messages. Recurring lines:
//   py.default   = examples/python_agent.sbx:28    default errno(EPERM)
//   node.default = examples/node_agent.sbx:29      default errno(EPERM)
//   ci.default   = examples/ci_build.sbx:33        default errno(EPERM)
//   min.default  = examples/minimal_static.sbx:18  default kill_process
//   hardening    = stdlib/hardening.sbx, imported by py (line 22), node (24) and ci (28)
#include "tests/kernel/expectations.h"

#include <cerrno>
#include <csignal>
#include <cstring>

namespace kernel_test {

namespace p = probe;

namespace {
const Row kTable[] = {
    // ---- allowed everywhere ---------------------------------------------------------------------
    {&p::write_pipe,
     {ALLOW, ALLOW, ALLOW, ALLOW, ALLOW},
     "glibc.sbx:34 allow write (py, node, ci via std.runtime.glibc); min :37 allow write"},
    {&p::clock_gettime,
     {ALLOW, ALLOW, ALLOW, ALLOW, ALLOW},
     "glibc.sbx:59 allow clock_gettime; min :44 allow clock_gettime"},
    {&p::getrandom, {ALLOW, ALLOW, ALLOW, ALLOW, ALLOW}, "glibc.sbx:47 allow getrandom; min :44 allow getrandom"},
    {&p::mmap_rw,
     {ALLOW, ALLOW, ALLOW, ALLOW, ALLOW},
     "glibc.sbx:41 allow @memory; min :32 allow mmap(prot & PROT_EXEC == 0)"},
    {&p::ioctl_tcgets_stdin,
     {ALLOW, ALLOW, ALLOW, ALLOW, ALLOW},
     "glibc.sbx:37 allow ioctl(request == TCGETS); min :41 allow ioctl(fd in {0, 1, 2} && "
     "request in {TIOCGWINSZ, TCGETS})"},
    // The kernel reads fd and request as unsigned int, and so must the filter (language.md,
    // "Widths"): these are TCGETS on fd 0 and fall under the same rules.
    {&p::ioctl_tcgets_fd_high_bits,
     {ALLOW, ALLOW, ALLOW, ALLOW, ALLOW},
     "as ioctl(0, TCGETS): glibc.sbx:37; min :41 compares fd at 32 bits"},
    {&p::ioctl_tcgets_request_high_bits,
     {ALLOW, ALLOW, ALLOW, ALLOW, ALLOW},
     "as ioctl(0, TCGETS): glibc.sbx:37; min :41 compares request at 32 bits"},

    // ---- allowed by the agents, killed by minimal_static's default ---------------------------
    {&p::getpid, {ALLOW, ALLOW, ALLOW, KILL, ALLOW}, "glibc.sbx:64 allow getpid; min: not listed, min.default"},
    {&p::mmap_rx,
     {ALLOW, ALLOW, ALLOW, KILL, ALLOW},
     "glibc.sbx:41 allow @memory (executable mappings allowed); min :32 only without PROT_EXEC, "
     "so min.default"},
    {&p::mprotect_rx,
     {ALLOW, ALLOW, ALLOW, KILL, ALLOW},
     "glibc.sbx:41 allow @memory; min :32 only without PROT_EXEC, so min.default"},
    {&p::ioctl_tcgets_pty,
     {ALLOW, ALLOW, ALLOW, KILL, ALLOW},
     "glibc.sbx:37 allow ioctl(request == TCGETS); min :41 only on fds 0-2, fd 3 -> min.default"},
    {&p::ioctl_tcgets_pipe,
     {ALLOW, ALLOW, ALLOW, KILL, ALLOW},
     "glibc.sbx:37 (the kernel answers ENOTTY); min :41 only on fds 0-2 -> min.default"},
    {&p::socket_unix,
     {ERRNO(EPERM), ALLOW, ALLOW, KILL, ALLOW},
     "py :33 deny socket(domain == AF_UNIX) errno(EPERM) beats python.sbx:49; node.sbx:54 allow "
     "socket(domain == AF_UNIX); ci :42; min.default"},
    {&p::socket_inet_stream_cloexec,
     {ALLOW, ALLOW, ALLOW, KILL, ALLOW},
     "py :33 type & 0xf == SOCK_STREAM (SOCK_CLOEXEC is masked off); node :32; ci :42; "
     "min.default"},
    {&p::clone_plain,
     {ALLOW, ALLOW, ALLOW, KILL, ALLOW},
     "groups.sbx:127 clone in @process, allowed by python.sbx:41, node.sbx:47, ci :38; "
     "hardening:45 only kills namespace flags; min.default"},
    {&p::fork,
     {ALLOW, ALLOW, ALLOW, KILL, ALLOW},
     "groups.sbx:127 fork? in @process (python.sbx:41, node.sbx:47, ci :38); min.default"},

    // ---- where the policies differ
    // ---------------------------------------------------------------
    {&p::socket_inet_raw,
     {ERRNO(EPERM), ERRNO(EPERM), ALLOW, KILL, ALLOW},
     "py :38 and node :34 allow only SOCK_DGRAM and TCP stream sockets -> default; ci :42 checks "
     "only the domain; min.default"},
    {&p::socket_inet_mptcp,
     {ERRNO(EPERM), ERRNO(EPERM), ALLOW, KILL, ALLOW},
     "py :38 and node :34 allow stream sockets of protocol 0 or IPPROTO_TCP only (Landlock's port "
     "rules see no other, E0407) -> default; ci :42 checks only the domain (no Landlock network "
     "layer); min.default"},
    {&p::ioctl_tcsets_pty,
     {ALLOW, ALLOW, ERRNO(EPERM), KILL, ERRNO(EPERM)},
     "python.sbx:57 / node.sbx:60 allow TCSETS; ci :47 and glibc.sbx:37 do not -> ci.default; "
     "min.default"},
    {&p::ptrace_attach,
     {KILL, KILL, ALLOW, KILL, ALLOW},
     "hardening:23 kill @debugging (ptrace); ci :28 imports hardening without ptrace and :50 "
     "allows it (the kernel answers ESRCH); min.default"},

    // ---- errno from the default ---------------------------------------------------------------
    {&p::ioctl_tiocswinsz_pty,
     {ERRNO(EPERM), ERRNO(EPERM), ERRNO(EPERM), KILL, ERRNO(EPERM)},
     "TIOCSWINSZ is in no ioctl rule (python.sbx:57-58, node.sbx:60-61, ci :47) -> default"},
    {&p::socket_netlink,
     {ERRNO(EPERM), ERRNO(EPERM), ERRNO(EPERM), KILL, ERRNO(EPERM)},
     "AF_NETLINK is in no socket rule (py :33, python.sbx:49, node :32, ci :42) -> default"},
    {&p::unshare_files,
     {ERRNO(EPERM), ERRNO(EPERM), ERRNO(EPERM), KILL, ERRNO(EPERM)},
     "hardening:44 kills unshare only with namespace flags, no rule allows unshare -> default"},
    {&p::personality_query,
     {ERRNO(EPERM), ERRNO(EPERM), ERRNO(EPERM), KILL, ERRNO(EPERM)},
     "hardening:80 spares 0xffffffff, personality is in no allowed group -> default"},
    {&p::memfd_create,
     {ERRNO(EPERM), ERRNO(EPERM), ERRNO(EPERM), KILL, ERRNO(EPERM)},
     "groups.sbx:170 memfd_create is in no group -> default"},
    {&p::execveat,
     {ERRNO(EPERM), ERRNO(EPERM), ERRNO(EPERM), KILL, ERRNO(EPERM)},
     "groups.sbx:117 execveat is deliberately not in @process -> default"},
    {&p::unknown_nr,
     {ERRNO(EPERM), ERRNO(EPERM), ERRNO(EPERM), KILL, ERRNO(EPERM)},
     "a number no rule names -> default (the kernel would say ENOSYS)"},

    // ---- errno rules of std.hardening -----------------------------------------------------------
    {&p::clone3,
     {ERRNO(ENOSYS), ERRNO(ENOSYS), ERRNO(ENOSYS), KILL, ERRNO(ENOSYS)},
     "hardening:50 deny clone3 errno(ENOSYS); min.default"},
    {&p::io_uring_setup,
     {ERRNO(ENOSYS), ERRNO(ENOSYS), ERRNO(ENOSYS), KILL, ERRNO(ENOSYS)},
     "hardening:57 deny io_uring_setup errno(ENOSYS); min.default"},

    // ---- kill rules of std.hardening (and minimal_static's default)
    // ------------------------------
    {&p::ioctl_tiocsti,
     {KILL, KILL, KILL, KILL, KILL},
     "hardening:74 kill ioctl(request in {TIOCSTI, TIOCLINUX}); min :41 lacks TIOCSTI -> "
     "min.default"},
    {&p::ioctl_tiocsti_high_bits,
     {KILL, KILL, KILL, KILL, KILL},
     "the kernel runs 0x1_0000_5412 as TIOCSTI: hardening:74 compares request at 32 bits; "
     "min.default"},
    {&p::ioctl_tioclinux, {KILL, KILL, KILL, KILL, KILL}, "hardening:74 (TIOCLINUX); min.default"},
    {&p::clone_newuser,
     {KILL, KILL, KILL, KILL, KILL},
     "hardening:45 kill clone(flags & NAMESPACE_CLONE_FLAGS != 0) beats @process; min.default"},
    {&p::unshare_newuser,
     {KILL, KILL, KILL, KILL, KILL},
     "hardening:44 kill unshare(flags & (NAMESPACE_CLONE_FLAGS | CLONE_NEWTIME) != 0); "
     "min.default"},
    {&p::setns, {KILL, KILL, KILL, KILL, KILL}, "hardening:43 kill setns; min.default"},
    {&p::process_vm_readv,
     {KILL, KILL, KILL, KILL, KILL},
     "hardening:23 kill @debugging (ci removes only ptrace); min.default"},
    {&p::bpf, {KILL, KILL, KILL, KILL, KILL}, "hardening:28 kill @bpf; min.default"},
    {&p::perf_event_open, {KILL, KILL, KILL, KILL, KILL}, "hardening:23 kill @debugging; min.default"},
    {&p::mount, {KILL, KILL, KILL, KILL, KILL}, "hardening:32 kill @mount; min.default"},
    {&p::keyctl, {KILL, KILL, KILL, KILL, KILL}, "hardening:28 kill @keyring; min.default"},
    {&p::acct, {KILL, KILL, KILL, KILL, KILL}, "hardening:96 kill acct; min.default"},
    {&p::swapon, {KILL, KILL, KILL, KILL, KILL}, "hardening:28 kill @swap; min.default"},
    {&p::open_by_handle_at, {KILL, KILL, KILL, KILL, KILL}, "hardening:68 kill open_by_handle_at; min.default"},
    {&p::userfaultfd, {KILL, KILL, KILL, KILL, KILL}, "hardening:62 kill userfaultfd; min.default"},
    {&p::io_uring_enter, {KILL, KILL, KILL, KILL, KILL}, "hardening:58 kill io_uring_enter; min.default"},
    {&p::personality_read_implies_exec,
     {KILL, KILL, KILL, KILL, KILL},
     "hardening:80 kill personality(persona not in {PER_LINUX, PER_LINUX32, 0xffffffff}); "
     "min.default"},

    // ---- other ABIs: every policy has `targets x86_64, aarch64` (py :18, node :20, ci :18,
    // min :15), and the filters kill every architecture they do not target (language.md,
    // "Targets"). x32 is its own target, so its numbers (bit 30) are killed too.
    {&p::x32_getpid, {KILL, KILL, KILL, KILL, KILL}, "x32 is not a target"},
    {&p::i386_getpid, {KILL, KILL, KILL, KILL, KILL}, "x86 (i386) is not a target"},
};

std::string errno_name(int e) {
  const char* name = strerrorname_np(e);
  return name != nullptr ? name : "errno " + std::to_string(e);
}

}  // namespace

std::span<const Row> table() { return kTable; }

std::string describe(const Expected& e) {
  switch (e.kind) {
    case Expected::Kind::allow: return "allowed (the kernel's own answer)";
    case Expected::Kind::errno_: return "errno " + errno_name(e.err);
    case Expected::Kind::kill: return "killed by SIGSYS";
  }
  return "?";
}

Verdict judge(const Expected& expected, const Outcome& filtered, const Outcome& baseline,
              const std::set<int>& filter_errnos) {
  using K = Outcome::Kind;
  auto fail = [](std::string s) { return Verdict{Verdict::Kind::fail, std::move(s)}; };
  auto untestable = [](std::string s) { return Verdict{Verdict::Kind::untestable, std::move(s)}; };
  if (baseline.kind == K::setup_failed || baseline.kind == K::exited)
    return fail("the unfiltered run is broken: " + describe(baseline));
  if (filtered.kind == K::setup_failed || filtered.kind == K::exited)
    return fail("the filtered run is broken: " + describe(filtered));
  // The kernel's own answer must differ from the filter's, or a pass would prove nothing.
  if (baseline.kind == K::signaled)
    return baseline.signal == SIGSYS
               ? fail("even without a filter the call is killed by SIGSYS")
               : untestable("without any filter the kernel itself answers: " + describe(baseline) +
                            ", so no seccomp filter ever sees this call on this machine");

  switch (expected.kind) {
    case Expected::Kind::kill:
      if (filtered.killed_by(SIGSYS)) return {Verdict::Kind::pass, {}};
      return fail("expected kill by SIGSYS, got: " + describe(filtered));
    case Expected::Kind::errno_:
      if (baseline.failed_with(expected.err))
        return untestable("the kernel itself answers " + errno_name(expected.err) +
                          " without a filter (not root?), so the filter's answer is invisible");
      if (filtered.failed_with(expected.err)) return {Verdict::Kind::pass, {}};
      return fail("expected errno " + errno_name(expected.err) + ", got: " + describe(filtered));
    case Expected::Kind::allow: {
      if (baseline.ret == -1 && filter_errnos.contains(baseline.err))
        return untestable("the kernel itself answers " + errno_name(baseline.err) +
                          ", which the filter could also have answered (not root?)");
      const bool same = filtered.kind == K::returned && (filtered.ret == -1) == (baseline.ret == -1) &&
                        (baseline.ret != -1 || filtered.err == baseline.err);
      if (same) return {Verdict::Kind::pass, {}};
      return fail("expected the call to reach the kernel, which answers \"" + describe(baseline) +
                  "\" without a filter, got: " + describe(filtered));
    }
  }
  return fail("?");
}

}  // namespace kernel_test
