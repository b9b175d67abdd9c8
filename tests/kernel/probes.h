// The probe catalog: each probe is one raw system call, with arguments chosen so that it is
// harmless when it reaches the kernel as root (bad pointers, invalid descriptors, or effects that
// stay inside the throwaway child), yet tells "the filter answered" apart from "the kernel
// answered" (see harness.h for how the kernel's own answer is measured).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kernel_test {

// Descriptors every probe child holds when the filter goes on (see harness.cpp). The pty is on 0
// as well because minimal_static only allows terminal ioctls on the standard descriptors.
inline constexpr int kPtyStdin = 0;   // slave side of a fresh pseudo-terminal
inline constexpr int kPty = 3;        // the same pseudo-terminal, outside {0, 1, 2}
inline constexpr int kPipeRead = 4;   // read end of a fresh pipe (not a tty)
inline constexpr int kPipeWrite = 5;  // write end of that pipe

// How the call enters the kernel. x86_64 is the `syscall` instruction; x32 is the same
// instruction with bit 30 set in the number; i386 is `int $0x80` from a 64-bit process, which the
// kernel runs with seccomp_data.arch = AUDIT_ARCH_I386.
enum class Abi { x86_64, x32, i386 };

// An argument is a plain register value or an address inside the scratch page (a zeroed,
// writable page mapped before fork, so it has the same address in the test and in every child).
struct Arg {
  bool scratch = false;
  uint64_t value = 0;  // the register value, or the offset into the scratch page
};
constexpr Arg v(uint64_t value) { return Arg{false, value}; }
constexpr Arg scratch(uint64_t offset = 0) { return Arg{true, offset}; }

struct Probe {
  std::string_view call;  // how failures name it, e.g. "ioctl(0, TIOCSTI | 1<<32, buf)"
  // The syscall's name for `polc eval`, or "" where eval cannot express the call (garbage above a
  // 32-bit argument is E0205 there; other ABIs and unknown numbers have no name).
  std::string_view eval;
  Abi abi;
  uint64_t nr;  // what goes into rax/eax, x32's bit 30 included
  std::array<Arg, 6> args;
  // clone/fork: the call returns 0 in a new process, which must exit at once.
  bool creates_process = false;
};

// The scratch page (mapped on first use, in the test process before any fork).
uint64_t scratch_page();
// The six register values of a probe, scratch offsets resolved.
std::array<uint64_t, 6> resolve(const Probe& probe);
// The probe as a `polc eval` CALL with its exact register values ("" if eval cannot express it).
std::string eval_call(const Probe& probe);

namespace probe {
extern const Probe getpid, write_pipe, clock_gettime, getrandom;
extern const Probe mmap_rw, mmap_rx, mprotect_rx;
extern const Probe ioctl_tcgets_pty, ioctl_tcgets_stdin, ioctl_tcgets_fd_high_bits, ioctl_tcgets_request_high_bits,
    ioctl_tcgets_pipe, ioctl_tcsets_pty, ioctl_tiocswinsz_pty, ioctl_tiocsti, ioctl_tiocsti_high_bits, ioctl_tioclinux;
extern const Probe socket_unix, socket_inet_stream_cloexec, socket_inet_raw, socket_inet_mptcp, socket_netlink;
extern const Probe clone_plain, fork, clone_newuser, unshare_newuser, unshare_files, setns;
extern const Probe ptrace_attach, process_vm_readv, bpf, perf_event_open, mount, keyctl, acct, swapon,
    open_by_handle_at, userfaultfd;
extern const Probe io_uring_setup, io_uring_enter, clone3;
extern const Probe personality_query, personality_read_implies_exec, memfd_create, execveat;
extern const Probe unknown_nr, x32_getpid, i386_getpid;
}  // namespace probe

}  // namespace kernel_test
