// Definitions of the probes declared in probes.h. Every argument list is picked so that the call
// is harmless if it reaches the kernel as root: the comment on each says what the kernel does then.
#include "tests/kernel/probes.h"

#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>

#include <cstdio>
#include <cstdlib>

namespace kernel_test {

uint64_t scratch_page() {
  static void* const page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) std::abort();
  return reinterpret_cast<uint64_t>(page);
}

std::array<uint64_t, 6> resolve(const Probe& probe) {
  std::array<uint64_t, 6> regs{};
  for (size_t i = 0; i < regs.size(); ++i)
    regs[i] = probe.args[i].scratch ? scratch_page() + probe.args[i].value : probe.args[i].value;
  return regs;
}

std::string eval_call(const Probe& probe) {
  if (probe.eval.empty()) return "";
  const auto regs = resolve(probe);
  size_t n = regs.size();
  while (n > 0 && regs[n - 1] == 0) --n;  // eval takes missing arguments as 0
  std::string call = std::string(probe.eval) + "(";
  for (size_t i = 0; i < n; ++i) {
    // Negative values as such: -1 fits a 32-bit fd, 0xffff_ffff_ffff_ffff does not (E0205).
    const auto value = static_cast<int64_t>(regs[i]);
    char buf[32];
    std::snprintf(buf, sizeof buf, value < 0 ? "%lld" : "0x%llx", static_cast<long long>(value));
    call += (i > 0 ? ", " : "") + std::string(buf);
  }
  return call + ")";
}

namespace probe {
namespace {
constexpr uint64_t kHigh = uint64_t{1} << 32;  // garbage in the upper half of a 32-bit argument
constexpr uint64_t kMinus1 = ~uint64_t{0};
constexpr uint64_t kX32 = 0x40000000;  // __X32_SYSCALL_BIT
constexpr uint64_t kI386Getpid = 20;   // arch/x86/entry/syscalls/syscall_32.tbl
constexpr auto x64 = Abi::x86_64;
}  // namespace

// Succeed on any kernel.
const Probe getpid{"getpid()", "getpid", x64, SYS_getpid, {}};
const Probe write_pipe{"write(pipe, buf, 1)", "write", x64, SYS_write, {v(kPipeWrite), scratch(), v(1)}};
const Probe clock_gettime{
    "clock_gettime(CLOCK_MONOTONIC, buf)", "clock_gettime", x64, SYS_clock_gettime, {v(1), scratch()}};
const Probe getrandom{"getrandom(buf, 16, 0)", "getrandom", x64, SYS_getrandom, {scratch(), v(16), v(0)}};
const Probe mmap_rw{"mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
                    "mmap",
                    x64,
                    SYS_mmap,
                    {v(0), v(4096), v(PROT_READ | PROT_WRITE), v(MAP_PRIVATE | MAP_ANONYMOUS), v(kMinus1), v(0)}};
const Probe mmap_rx{"mmap(0, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
                    "mmap",
                    x64,
                    SYS_mmap,
                    {v(0), v(4096), v(PROT_READ | PROT_EXEC), v(MAP_PRIVATE | MAP_ANONYMOUS), v(kMinus1), v(0)}};
// Makes the child's scratch page executable; nothing runs from it.
const Probe mprotect_rx{"mprotect(scratch page, 4096, PROT_READ|PROT_EXEC)",
                        "mprotect",
                        x64,
                        SYS_mprotect,
                        {scratch(), v(4096), v(PROT_READ | PROT_EXEC)}};

// Terminal ioctls on the child's own pty. Success on a pty; ENOTTY on the pipe.
const Probe ioctl_tcgets_pty{"ioctl(3 = pty, TCGETS, buf)", "ioctl", x64, SYS_ioctl, {v(kPty), v(TCGETS), scratch()}};
const Probe ioctl_tcgets_stdin{
    "ioctl(0 = pty, TCGETS, buf)", "ioctl", x64, SYS_ioctl, {v(kPtyStdin), v(TCGETS), scratch()}};
// The kernel reads fd and request as unsigned int, so these are TCGETS on fd 0.
const Probe ioctl_tcgets_fd_high_bits{
    "ioctl(0 | 1<<32, TCGETS, buf)", "", x64, SYS_ioctl, {v(kHigh | kPtyStdin), v(TCGETS), scratch()}};
const Probe ioctl_tcgets_request_high_bits{
    "ioctl(0, TCGETS | 1<<32, buf)", "", x64, SYS_ioctl, {v(kPtyStdin), v(kHigh | TCGETS), scratch()}};
const Probe ioctl_tcgets_pipe{
    "ioctl(4 = pipe, TCGETS, buf)", "ioctl", x64, SYS_ioctl, {v(kPipeRead), v(TCGETS), scratch()}};
// Sets the child's pty to an all-zero termios / a 0x0 window.
const Probe ioctl_tcsets_pty{
    "ioctl(3 = pty, TCSETS, zeroed termios)", "ioctl", x64, SYS_ioctl, {v(kPty), v(TCSETS), scratch()}};
const Probe ioctl_tiocswinsz_pty{
    "ioctl(3 = pty, TIOCSWINSZ, zeroed winsize)", "ioctl", x64, SYS_ioctl, {v(kPty), v(TIOCSWINSZ), scratch()}};
// Pushes a NUL byte into the child's own pty (as root); the pty dies with the child.
const Probe ioctl_tiocsti{
    "ioctl(0 = pty, TIOCSTI, \"\\0\")", "ioctl", x64, SYS_ioctl, {v(kPtyStdin), v(TIOCSTI), scratch()}};
// The classic bypass: not TIOCSTI in 64 bits, but the kernel executes it as TIOCSTI.
const Probe ioctl_tiocsti_high_bits{"ioctl(0 = pty, TIOCSTI | 1<<32 = 0x1_0000_5412, \"\\0\")",
                                    "",
                                    x64,
                                    SYS_ioctl,
                                    {v(kPtyStdin), v(kHigh | TIOCSTI), scratch()}};
// Subcode 0 is invalid, and a pty is no virtual console: an error either way.
const Probe ioctl_tioclinux{
    "ioctl(0 = pty, TIOCLINUX, \"\\0\")", "ioctl", x64, SYS_ioctl, {v(kPtyStdin), v(TIOCLINUX), scratch()}};

// Sockets: created and dropped with the child (raw sockets need root, see harness.h).
const Probe socket_unix{
    "socket(AF_UNIX, SOCK_STREAM, 0)", "socket", x64, SYS_socket, {v(AF_UNIX), v(SOCK_STREAM), v(0)}};
const Probe socket_inet_stream_cloexec{"socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)",
                                       "socket",
                                       x64,
                                       SYS_socket,
                                       {v(AF_INET), v(SOCK_STREAM | SOCK_CLOEXEC), v(0)}};
const Probe socket_inet_raw{
    "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", "socket", x64, SYS_socket, {v(AF_INET), v(SOCK_RAW), v(IPPROTO_ICMP)}};
// IPPROTO_MPTCP is 262 (glibc's headers may predate it).
const Probe socket_inet_mptcp{
    "socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)", "socket", x64, SYS_socket, {v(AF_INET), v(SOCK_STREAM), v(262)}};
const Probe socket_netlink{"socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)",
                           "socket",
                           x64,
                           SYS_socket,
                           {v(AF_NETLINK), v(SOCK_RAW), v(NETLINK_ROUTE)}};

// Processes and namespaces: new processes exit at once, namespaces die with the child.
const Probe clone_plain{"clone(SIGCHLD, 0, 0, 0, 0)", "clone", x64, SYS_clone, {v(SIGCHLD)}, true};
const Probe fork{"fork()", "fork?", x64, SYS_fork, {}, true};
const Probe clone_newuser{
    "clone(CLONE_NEWUSER|SIGCHLD, 0, 0, 0, 0)", "clone", x64, SYS_clone, {v(CLONE_NEWUSER | SIGCHLD)}, true};
const Probe unshare_newuser{"unshare(CLONE_NEWUSER)", "unshare", x64, SYS_unshare, {v(CLONE_NEWUSER)}};
const Probe unshare_files{"unshare(CLONE_FILES)", "unshare", x64, SYS_unshare, {v(CLONE_FILES)}};
const Probe setns{"setns(-1, 0)", "setns", x64, SYS_setns, {v(kMinus1), v(0)}};  // EBADF

// Escape primitives with arguments the kernel rejects (or that only touch the child).
const Probe ptrace_attach{
    "ptrace(PTRACE_ATTACH, 0, 0, 0)", "ptrace", x64, SYS_ptrace, {v(PTRACE_ATTACH), v(0)}};  // ESRCH: there is no pid 0
const Probe process_vm_readv{
    "process_vm_readv(0, NULL, 0, NULL, 0, 0)", "process_vm_readv", x64, SYS_process_vm_readv, {}};
const Probe bpf{"bpf(0xffff, NULL, 0)", "bpf", x64, SYS_bpf, {v(0xffff)}};  // EINVAL
const Probe perf_event_open{"perf_event_open(NULL, 0, -1, -1, 0)",
                            "perf_event_open",
                            x64,
                            SYS_perf_event_open,
                            {v(0), v(0), v(kMinus1), v(kMinus1)}};                      // EFAULT
const Probe mount{"mount(NULL, NULL, NULL, 0, NULL)", "mount", x64, SYS_mount, {}};     // EFAULT
const Probe keyctl{"keyctl(-1, 0, 0, 0, 0)", "keyctl", x64, SYS_keyctl, {v(kMinus1)}};  // EOPNOTSUPP
const Probe acct{"acct(\"\")", "acct", x64, SYS_acct, {scratch()}};                     // ENOENT
const Probe swapon{"swapon(\"\", 0)", "swapon", x64, SYS_swapon, {scratch()}};          // ENOENT
const Probe open_by_handle_at{
    "open_by_handle_at(-1, buf, 0)", "open_by_handle_at", x64, SYS_open_by_handle_at, {v(kMinus1), scratch()}};
const Probe userfaultfd{"userfaultfd(-1)", "userfaultfd", x64, SYS_userfaultfd, {v(kMinus1)}};  // EINVAL

// Probed by runtimes at startup: the kernel says EINVAL, the policies say ENOSYS.
const Probe io_uring_setup{"io_uring_setup(0, buf)", "io_uring_setup", x64, SYS_io_uring_setup, {v(0), scratch()}};
const Probe io_uring_enter{
    "io_uring_enter(-1, 0, 0, 0, NULL, 0)", "io_uring_enter", x64, SYS_io_uring_enter, {v(kMinus1)}};  // EBADF
const Probe clone3{"clone3(buf, 0)", "clone3", x64, SYS_clone3, {scratch(), v(0)}};                    // EINVAL: size 0

// Decided by a policy's default or by a conditional kill.
const Probe personality_query{"personality(0xffffffff)", "personality", x64, SYS_personality, {v(0xffffffff)}};
const Probe personality_read_implies_exec{
    "personality(READ_IMPLIES_EXEC)", "personality", x64, SYS_personality, {v(READ_IMPLIES_EXEC)}};
const Probe memfd_create{"memfd_create(\"\", 0)", "memfd_create", x64, SYS_memfd_create, {scratch(), v(0)}};
const Probe execveat{"execveat(-1, \"\", NULL, NULL, 0)",
                     "execveat",
                     x64,
                     SYS_execveat,
                     {v(kMinus1), scratch()}};  // ENOENT: empty path without AT_EMPTY_PATH
const Probe unknown_nr{"syscall(1000) (no such system call)", "", x64, 1000, {}};  // ENOSYS

// Other ABIs of an x86_64 process. x32 getpid is ENOSYS on kernels without x32 support; i386
// getpid returns the pid when the kernel has IA32 emulation.
const Probe x32_getpid{"x32 getpid (nr 0x40000000 | 39)", "", Abi::x32, kX32 | SYS_getpid, {}};
const Probe i386_getpid{"i386 getpid via int $0x80 (eax 20)", "", Abi::i386, kI386Getpid, {}};
}  // namespace probe

}  // namespace kernel_test
