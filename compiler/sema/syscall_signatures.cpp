// Stage: sema. Argument names and types of the syscalls policies filter on, taken from the kernel's
// SYSCALL_DEFINE prototypes. The type records the width the kernel actually reads, because a
// condition on bits the kernel ignores can be dodged: where the prototype says `unsigned long` but
// the kernel truncates (clone's flags, ptrace's pid, mmap's fd), the narrower type is recorded.
// `umode_t` mode arguments are 16 bits in the kernel; UInt is the narrowest type available, so a
// condition on a mode should test bits with `&` rather than compare the whole value.
#include "compiler/sema/syscall_signatures.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <iterator>
#include <utility>
#include <vector>

namespace polc::sema {

namespace {

using arch::Arch;
using enum ArgType;

using arch::ArchSet;
using arch::bit;
constexpr ArchSet kAll = arch::kAllArchSet;
// Arches with 32-bit registers. A 64-bit argument (loff_t, u64) is split across two registers
// there, in an order and with alignment padding that differ per arch (arm pads to an even register
// pair), so syscalls with such arguments get no signature on these arches: policies must use
// arg0..arg5 and see the registers as they are. Every other arch passes it in one register.
constexpr ArchSet kRegs32 = arch::kRegisters32;
constexpr ArchSet kRegs64 = kAll & ~kRegs32;
using arch::kX86Family;
// x32 enters some syscalls through compat_sys_* handlers that truncate every `long` argument to 32
// bits (arch/x86/entry/syscalls/syscall_64.tbl, numbers 512-547); those get x32 signatures with
// 32-bit types for their non-pointer long arguments.
constexpr ArchSet kNotX32 = kAll & ~bit(Arch::x32);

constexpr size_t kMaxArgs = 6;

struct Signature {
  std::string_view syscall;
  // Arches this signature applies to; several entries for one syscall have disjoint sets.
  ArchSet arches;
  uint8_t count;
  std::array<ArgSpec, kMaxArgs> args;
};

constexpr Signature sig(std::string_view syscall, ArchSet arches, std::initializer_list<ArgSpec> args) {
  Signature s{syscall, arches, static_cast<uint8_t>(args.size()), {}};
  std::copy(args.begin(), args.begin() + std::min(args.size(), kMaxArgs), s.args.begin());
  return s;
}

// Sorted by syscall name; checked below. Names follow the man pages where they do not clash with
// the index references arg0..arg5: prctl's and keyctl's "arg2".."arg5" are registers 1..4, so they
// are called param2..param5 to keep `arg2` meaning register 2 everywhere.
constexpr Signature kSignatures[] = {
    sig("accept", kAll, {{"fd", Fd}, {"addr", Ptr}, {"addrlen", Ptr}}),
    sig("accept4", kAll, {{"fd", Fd}, {"addr", Ptr}, {"addrlen", Ptr}, {"flags", Int}}),
    sig("access", kAll, {{"path", Ptr}, {"mode", Int}}),
    sig("acct", kAll, {{"path", Ptr}}),
    sig("add_key", kAll, {{"type", Ptr}, {"description", Ptr}, {"payload", Ptr}, {"plen", ULong}, {"keyring", Int}}),
    sig("alarm", kAll, {{"seconds", UInt}}),
    sig("arch_prctl", kX86Family, {{"code", Int}, {"addr", ULong}}),
    sig("bind", kAll, {{"fd", Fd}, {"addr", Ptr}, {"addrlen", Int}}),
    sig("bpf", kAll, {{"cmd", Int}, {"attr", Ptr}, {"size", UInt}}),
    sig("brk", kAll, {{"addr", Ptr}}),
    sig("capget", kAll, {{"header", Ptr}, {"data", Ptr}}),
    sig("capset", kAll, {{"header", Ptr}, {"data", Ptr}}),
    sig("chdir", kAll, {{"path", Ptr}}),
    sig("chmod", kAll, {{"path", Ptr}, {"mode", UShort}}),
    // The 32-bit arches' chown/lchown/fchown take 16-bit ids (their 32-bit forms are *32).
    sig("chown", kRegs64, {{"path", Ptr}, {"owner", UInt}, {"group", UInt}}),
    sig("chown32", kRegs32, {{"path", Ptr}, {"owner", UInt}, {"group", UInt}}),
    sig("chroot", kAll, {{"path", Ptr}}),
    sig("clock_adjtime", kAll, {{"clockid", Int}, {"buf", Ptr}}),
    sig("clock_adjtime64", kRegs32, {{"clockid", Int}, {"buf", Ptr}}),
    sig("clock_getres", kAll, {{"clockid", Int}, {"res", Ptr}}),
    sig("clock_getres_time64", kRegs32, {{"clockid", Int}, {"res", Ptr}}),
    sig("clock_gettime", kAll, {{"clockid", Int}, {"tp", Ptr}}),
    sig("clock_gettime64", kRegs32, {{"clockid", Int}, {"tp", Ptr}}),
    sig("clock_nanosleep", kAll, {{"clockid", Int}, {"flags", Int}, {"request", Ptr}, {"remain", Ptr}}),
    sig("clock_nanosleep_time64", kRegs32, {{"clockid", Int}, {"flags", Int}, {"request", Ptr}, {"remain", Ptr}}),
    sig("clock_settime", kAll, {{"clockid", Int}, {"tp", Ptr}}),
    sig("clock_settime64", kRegs32, {{"clockid", Int}, {"tp", Ptr}}),
    // The kernel reads only the low 32 bits of clone's flags (lower_32_bits() in kernel/fork.c), so
    // they are UInt: a 64-bit comparison could be defeated by setting the ignored upper half.
    // The argument order is the arch's Kconfig choice: i386, arm, arm64 and riscv select
    // CLONE_BACKWARDS (tls before child_tid), s390 CLONE_BACKWARDS2 (stack before flags).
    sig("clone", bit(Arch::x86_64) | bit(Arch::x32),
        {{"flags", UInt}, {"stack", Ptr}, {"parent_tid", Ptr}, {"child_tid", Ptr}, {"tls", ULong}}),
    sig("clone", bit(Arch::x86) | bit(Arch::arm) | bit(Arch::aarch64) | bit(Arch::riscv64),
        {{"flags", UInt}, {"stack", Ptr}, {"parent_tid", Ptr}, {"tls", ULong}, {"child_tid", Ptr}}),
    sig("clone", bit(Arch::s390x),
        {{"stack", Ptr}, {"flags", UInt}, {"parent_tid", Ptr}, {"child_tid", Ptr}, {"tls", ULong}}),
    sig("clone3", kAll, {{"args", Ptr}, {"size", ULong}}),
    sig("close", kAll, {{"fd", Fd}}),
    sig("close_range", kAll, {{"first", UInt}, {"last", UInt}, {"flags", UInt}}),
    sig("connect", kAll, {{"fd", Fd}, {"addr", Ptr}, {"addrlen", Int}}),
    sig("copy_file_range", kAll,
        {{"fd_in", Fd}, {"off_in", Ptr}, {"fd_out", Fd}, {"off_out", Ptr}, {"len", ULong}, {"flags", UInt}}),
    sig("creat", kAll, {{"path", Ptr}, {"mode", UShort}}),
    sig("delete_module", kAll, {{"name", Ptr}, {"flags", UInt}}),
    sig("dup", kAll, {{"oldfd", Fd}}),
    sig("dup2", kAll, {{"oldfd", Fd}, {"newfd", Fd}}),
    sig("dup3", kAll, {{"oldfd", Fd}, {"newfd", Fd}, {"flags", Int}}),
    sig("epoll_create", kAll, {{"size", Int}}),
    sig("epoll_create1", kAll, {{"flags", Int}}),
    sig("epoll_ctl", kAll, {{"epfd", Fd}, {"op", Int}, {"fd", Fd}, {"event", Ptr}}),
    sig("epoll_pwait", kAll,
        {{"epfd", Fd}, {"events", Ptr}, {"maxevents", Int}, {"timeout", Int}, {"sigmask", Ptr}, {"sigsetsize", ULong}}),
    sig("epoll_wait", kAll, {{"epfd", Fd}, {"events", Ptr}, {"maxevents", Int}, {"timeout", Int}}),
    sig("eventfd", kAll, {{"initval", UInt}}),
    sig("eventfd2", kAll, {{"initval", UInt}, {"flags", Int}}),
    sig("execve", kAll, {{"path", Ptr}, {"argv", Ptr}, {"envp", Ptr}}),
    sig("execveat", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"argv", Ptr}, {"envp", Ptr}, {"flags", Int}}),
    sig("exit", kAll, {{"status", Int}}),
    sig("exit_group", kAll, {{"status", Int}}),
    sig("faccessat", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"mode", Int}}),
    sig("faccessat2", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"mode", Int}, {"flags", Int}}),
    sig("fadvise64", kRegs64, {{"fd", Fd}, {"offset", Long}, {"len", Long}, {"advice", Int}}),
    sig("fallocate", kRegs64, {{"fd", Fd}, {"mode", Int}, {"offset", Long}, {"len", Long}}),
    sig("fanotify_init", kAll, {{"flags", UInt}, {"event_f_flags", UInt}}),
    sig("fanotify_mark", kRegs64,
        {{"fanotify_fd", Fd}, {"flags", UInt}, {"mask", ULong}, {"dirfd", Fd}, {"path", Ptr}}),
    sig("fchdir", kAll, {{"fd", Fd}}),
    sig("fchmod", kAll, {{"fd", Fd}, {"mode", UShort}}),
    sig("fchmodat", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"mode", UShort}}),
    sig("fchown", kRegs64, {{"fd", Fd}, {"owner", UInt}, {"group", UInt}}),
    sig("fchown32", kRegs32, {{"fd", Fd}, {"owner", UInt}, {"group", UInt}}),
    sig("fchownat", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"owner", UInt}, {"group", UInt}, {"flags", Int}}),
    sig("fcntl", kAll, {{"fd", Fd}, {"cmd", UInt}, {"arg", ULong}}),
    sig("fcntl64", kRegs32, {{"fd", Fd}, {"cmd", UInt}, {"arg", ULong}}),
    sig("fdatasync", kAll, {{"fd", Fd}}),
    sig("finit_module", kAll, {{"fd", Fd}, {"param_values", Ptr}, {"flags", Int}}),
    sig("flock", kAll, {{"fd", Fd}, {"operation", UInt}}),
    sig("fsconfig", kAll, {{"fs_fd", Fd}, {"cmd", UInt}, {"key", Ptr}, {"value", Ptr}, {"aux", Int}}),
    sig("fsmount", kAll, {{"fs_fd", Fd}, {"flags", UInt}, {"attr_flags", UInt}}),
    sig("fsopen", kAll, {{"fsname", Ptr}, {"flags", UInt}}),
    sig("fspick", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"flags", UInt}}),
    sig("fstat", kAll, {{"fd", Fd}, {"statbuf", Ptr}}),
    sig("fsync", kAll, {{"fd", Fd}}),
    sig("ftruncate", kAll, {{"fd", Fd}, {"length", Long}}),
    sig("futex", kAll, {{"uaddr", Ptr}, {"op", Int}, {"val", UInt}, {"timeout", Ptr}, {"uaddr2", Ptr}, {"val3", UInt}}),
    sig("futex_time64", kRegs32,
        {{"uaddr", Ptr}, {"op", Int}, {"val", UInt}, {"timeout", Ptr}, {"uaddr2", Ptr}, {"val3", UInt}}),
    sig("getdents64", kAll, {{"fd", Fd}, {"dirp", Ptr}, {"count", UInt}}),
    sig("getpeername", kAll, {{"fd", Fd}, {"addr", Ptr}, {"addrlen", Ptr}}),
    sig("getpgid", kAll, {{"pid", Int}}),
    sig("getpriority", kAll, {{"which", Int}, {"who", Int}}),
    sig("getrandom", kAll, {{"buf", Ptr}, {"count", ULong}, {"flags", UInt}}),
    sig("getrlimit", kAll, {{"resource", UInt}, {"rlim", Ptr}}),
    sig("getsid", kAll, {{"pid", Int}}),
    sig("getsockname", kAll, {{"fd", Fd}, {"addr", Ptr}, {"addrlen", Ptr}}),
    sig("getsockopt", kAll, {{"fd", Fd}, {"level", Int}, {"optname", Int}, {"optval", Ptr}, {"optlen", Ptr}}),
    sig("init_module", kAll, {{"module_image", Ptr}, {"len", ULong}, {"param_values", Ptr}}),
    sig("inotify_add_watch", kAll, {{"fd", Fd}, {"path", Ptr}, {"mask", UInt}}),
    sig("inotify_init1", kAll, {{"flags", Int}}),
    sig("io_uring_enter", kAll,
        {{"fd", Fd}, {"to_submit", UInt}, {"min_complete", UInt}, {"flags", UInt}, {"argp", Ptr}, {"argsz", ULong}}),
    sig("io_uring_register", kAll, {{"fd", Fd}, {"opcode", UInt}, {"arg", Ptr}, {"nr_args", UInt}}),
    sig("io_uring_setup", kAll, {{"entries", UInt}, {"params", Ptr}}),
    // The kernel's ioctl command is `unsigned int`: only 32 bits are significant.
    sig("ioctl", kNotX32, {{"fd", Fd}, {"request", UInt}, {"arg", ULong}}),
    sig("ioctl", bit(Arch::x32), {{"fd", Fd}, {"request", UInt}, {"arg", UInt}}),
    sig("ioperm", kX86Family, {{"from", ULong}, {"num", ULong}, {"turn_on", Int}}),
    sig("iopl", kX86Family, {{"level", UInt}}),
    sig("ioprio_set", kAll, {{"which", Int}, {"who", Int}, {"ioprio", Int}}),
    sig("kcmp", kAll, {{"pid1", Int}, {"pid2", Int}, {"type", Int}, {"idx1", ULong}, {"idx2", ULong}}),
    sig("kexec_file_load", kAll,
        {{"kernel_fd", Fd}, {"initrd_fd", Fd}, {"cmdline_len", ULong}, {"cmdline", Ptr}, {"flags", ULong}}),
    sig("kexec_load", kNotX32, {{"entry", ULong}, {"nr_segments", ULong}, {"segments", Ptr}, {"flags", ULong}}),
    sig("kexec_load", bit(Arch::x32), {{"entry", UInt}, {"nr_segments", UInt}, {"segments", Ptr}, {"flags", UInt}}),
    sig("keyctl", kAll, {{"op", Int}, {"param2", ULong}, {"param3", ULong}, {"param4", ULong}, {"param5", ULong}}),
    sig("kill", kAll, {{"pid", Int}, {"sig", Int}}),
    sig("landlock_add_rule", kAll, {{"ruleset_fd", Fd}, {"rule_type", Int}, {"rule_attr", Ptr}, {"flags", UInt}}),
    sig("landlock_create_ruleset", kAll, {{"attr", Ptr}, {"size", ULong}, {"flags", UInt}}),
    sig("landlock_restrict_self", kAll, {{"ruleset_fd", Fd}, {"flags", UInt}}),
    sig("lchown", kRegs64, {{"path", Ptr}, {"owner", UInt}, {"group", UInt}}),
    sig("lchown32", kRegs32, {{"path", Ptr}, {"owner", UInt}, {"group", UInt}}),
    sig("link", kAll, {{"oldpath", Ptr}, {"newpath", Ptr}}),
    sig("linkat", kAll, {{"olddirfd", Fd}, {"oldpath", Ptr}, {"newdirfd", Fd}, {"newpath", Ptr}, {"flags", Int}}),
    sig("listen", kAll, {{"fd", Fd}, {"backlog", Int}}),
    sig("lseek", kAll, {{"fd", Fd}, {"offset", Long}, {"whence", UInt}}),
    sig("lstat", kAll, {{"path", Ptr}, {"statbuf", Ptr}}),
    sig("madvise", kAll, {{"addr", Ptr}, {"len", ULong}, {"advice", Int}}),
    sig("membarrier", kAll, {{"cmd", Int}, {"flags", UInt}, {"cpu_id", Int}}),
    sig("memfd_create", kAll, {{"name", Ptr}, {"flags", UInt}}),
    sig("memfd_secret", kAll, {{"flags", UInt}}),
    sig("mincore", kAll, {{"addr", Ptr}, {"length", ULong}, {"vec", Ptr}}),
    sig("mkdir", kAll, {{"path", Ptr}, {"mode", UShort}}),
    sig("mkdirat", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"mode", UShort}}),
    sig("mknod", kAll, {{"path", Ptr}, {"mode", UShort}, {"dev", UInt}}),
    sig("mknodat", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"mode", UShort}, {"dev", UInt}}),
    sig("mlock", kAll, {{"addr", Ptr}, {"len", ULong}}),
    sig("mlock2", kAll, {{"addr", Ptr}, {"len", ULong}, {"flags", Int}}),
    sig("mlockall", kAll, {{"flags", Int}}),
    // i386 and s390x's mmap is old_mmap, which takes one pointer to a struct of the six values, and
    // arm EABI has no mmap; those arches get no signature. mmap's fd goes through fget(), which
    // takes an unsigned int, so it is 32 bits although the prototype says unsigned long.
    sig("mmap", bit(Arch::x86_64) | bit(Arch::x32) | bit(Arch::aarch64) | bit(Arch::riscv64),
        {{"addr", Ptr}, {"length", ULong}, {"prot", ULong}, {"flags", ULong}, {"fd", Fd}, {"offset", ULong}}),
    sig("mmap2", kRegs32,
        {{"addr", Ptr}, {"length", ULong}, {"prot", ULong}, {"flags", ULong}, {"fd", Fd}, {"pgoffset", ULong}}),
    sig("modify_ldt", kX86Family, {{"func", Int}, {"ptr", Ptr}, {"bytecount", ULong}}),
    sig("mount", kAll, {{"source", Ptr}, {"target", Ptr}, {"fstype", Ptr}, {"flags", ULong}, {"data", Ptr}}),
    sig("mount_setattr", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"flags", UInt}, {"attr", Ptr}, {"size", ULong}}),
    sig("move_mount", kAll,
        {{"from_dirfd", Fd}, {"from_path", Ptr}, {"to_dirfd", Fd}, {"to_path", Ptr}, {"flags", UInt}}),
    sig("mprotect", kAll, {{"addr", Ptr}, {"len", ULong}, {"prot", ULong}}),
    sig("mremap", kAll,
        {{"old_address", Ptr}, {"old_size", ULong}, {"new_size", ULong}, {"flags", ULong}, {"new_address", Ptr}}),
    sig("msync", kAll, {{"addr", Ptr}, {"length", ULong}, {"flags", Int}}),
    sig("munlock", kAll, {{"addr", Ptr}, {"len", ULong}}),
    sig("munmap", kAll, {{"addr", Ptr}, {"length", ULong}}),
    sig("name_to_handle_at", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"handle", Ptr}, {"mount_id", Ptr}, {"flags", Int}}),
    sig("nanosleep", kAll, {{"req", Ptr}, {"rem", Ptr}}),
    sig("newfstatat", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"statbuf", Ptr}, {"flags", Int}}),
    sig("open", kAll, {{"path", Ptr}, {"flags", Int}, {"mode", UShort}}),
    sig("open_by_handle_at", kAll, {{"mount_fd", Fd}, {"handle", Ptr}, {"flags", Int}}),
    sig("open_tree", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"flags", UInt}}),
    sig("openat", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"flags", Int}, {"mode", UShort}}),
    sig("openat2", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"how", Ptr}, {"size", ULong}}),
    sig("perf_event_open", kAll, {{"attr", Ptr}, {"pid", Int}, {"cpu", Int}, {"group_fd", Fd}, {"flags", ULong}}),
    sig("personality", kAll, {{"persona", UInt}}),
    sig("pidfd_getfd", kAll, {{"pidfd", Fd}, {"targetfd", Fd}, {"flags", UInt}}),
    sig("pidfd_open", kAll, {{"pid", Int}, {"flags", UInt}}),
    sig("pidfd_send_signal", kAll, {{"pidfd", Fd}, {"sig", Int}, {"info", Ptr}, {"flags", UInt}}),
    sig("pipe", kAll, {{"fds", Ptr}}),
    sig("pipe2", kAll, {{"fds", Ptr}, {"flags", Int}}),
    sig("pivot_root", kAll, {{"new_root", Ptr}, {"put_old", Ptr}}),
    sig("pkey_alloc", kAll, {{"flags", ULong}, {"access_rights", ULong}}),
    sig("pkey_free", kAll, {{"pkey", Int}}),
    sig("pkey_mprotect", kAll, {{"addr", Ptr}, {"len", ULong}, {"prot", ULong}, {"pkey", Int}}),
    sig("poll", kAll, {{"fds", Ptr}, {"nfds", UInt}, {"timeout", Int}}),
    sig("ppoll", kAll, {{"fds", Ptr}, {"nfds", UInt}, {"tmo_p", Ptr}, {"sigmask", Ptr}, {"sigsetsize", ULong}}),
    sig("prctl", kAll, {{"option", Int}, {"param2", ULong}, {"param3", ULong}, {"param4", ULong}, {"param5", ULong}}),
    sig("pread64", kRegs64, {{"fd", Fd}, {"buf", Ptr}, {"count", ULong}, {"offset", Long}}),
    sig("prlimit64", kAll, {{"pid", Int}, {"resource", UInt}, {"new_limit", Ptr}, {"old_limit", Ptr}}),
    sig("process_madvise", kAll, {{"pidfd", Fd}, {"iovec", Ptr}, {"vlen", ULong}, {"advice", Int}, {"flags", UInt}}),
    sig("process_vm_readv", kAll,
        {{"pid", Int},
         {"local_iov", Ptr},
         {"liovcnt", ULong},
         {"remote_iov", Ptr},
         {"riovcnt", ULong},
         {"flags", ULong}}),
    sig("process_vm_writev", kAll,
        {{"pid", Int},
         {"local_iov", Ptr},
         {"liovcnt", ULong},
         {"remote_iov", Ptr},
         {"riovcnt", ULong},
         {"flags", ULong}}),
    // ptrace's pid is declared long but looked up as a pid_t, so only its low 32 bits count.
    sig("ptrace", kNotX32, {{"request", Long}, {"pid", Int}, {"addr", ULong}, {"data", ULong}}),
    sig("ptrace", bit(Arch::x32), {{"request", Int}, {"pid", Int}, {"addr", UInt}, {"data", UInt}}),
    sig("pwrite64", kRegs64, {{"fd", Fd}, {"buf", Ptr}, {"count", ULong}, {"offset", Long}}),
    sig("quotactl", kAll, {{"cmd", UInt}, {"special", Ptr}, {"id", UInt}, {"addr", Ptr}}),
    sig("read", kAll, {{"fd", Fd}, {"buf", Ptr}, {"count", ULong}}),
    sig("readahead", kRegs64, {{"fd", Fd}, {"offset", Long}, {"count", ULong}}),
    sig("readlink", kAll, {{"path", Ptr}, {"buf", Ptr}, {"bufsiz", Int}}),
    sig("readlinkat", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"buf", Ptr}, {"bufsiz", Int}}),
    sig("readv", kAll, {{"fd", Fd}, {"iov", Ptr}, {"iovcnt", ULong}}),
    sig("reboot", kAll, {{"magic", Int}, {"magic2", Int}, {"cmd", UInt}, {"arg", Ptr}}),
    sig("recv", kAll, {{"fd", Fd}, {"buf", Ptr}, {"len", ULong}, {"flags", UInt}}),
    sig("recvfrom", kNotX32,
        {{"fd", Fd}, {"buf", Ptr}, {"len", ULong}, {"flags", UInt}, {"src_addr", Ptr}, {"addrlen", Ptr}}),
    sig("recvfrom", bit(Arch::x32),
        {{"fd", Fd}, {"buf", Ptr}, {"len", UInt}, {"flags", UInt}, {"src_addr", Ptr}, {"addrlen", Ptr}}),
    sig("recvmmsg", kAll, {{"fd", Fd}, {"msgvec", Ptr}, {"vlen", UInt}, {"flags", UInt}, {"timeout", Ptr}}),
    sig("recvmmsg_time64", kRegs32, {{"fd", Fd}, {"msgvec", Ptr}, {"vlen", UInt}, {"flags", UInt}, {"timeout", Ptr}}),
    sig("recvmsg", kAll, {{"fd", Fd}, {"msg", Ptr}, {"flags", UInt}}),
    sig("rename", kAll, {{"oldpath", Ptr}, {"newpath", Ptr}}),
    sig("renameat", kAll, {{"olddirfd", Fd}, {"oldpath", Ptr}, {"newdirfd", Fd}, {"newpath", Ptr}}),
    sig("renameat2", kAll, {{"olddirfd", Fd}, {"oldpath", Ptr}, {"newdirfd", Fd}, {"newpath", Ptr}, {"flags", UInt}}),
    sig("request_key", kAll, {{"type", Ptr}, {"description", Ptr}, {"callout_info", Ptr}, {"dest_keyring", Int}}),
    sig("rmdir", kAll, {{"path", Ptr}}),
    sig("rt_sigaction", kNotX32, {{"sig", Int}, {"act", Ptr}, {"oact", Ptr}, {"sigsetsize", ULong}}),
    sig("rt_sigaction", bit(Arch::x32), {{"sig", Int}, {"act", Ptr}, {"oact", Ptr}, {"sigsetsize", UInt}}),
    sig("rt_sigprocmask", kAll, {{"how", Int}, {"set", Ptr}, {"oset", Ptr}, {"sigsetsize", ULong}}),
    sig("rt_sigqueueinfo", kAll, {{"tgid", Int}, {"sig", Int}, {"info", Ptr}}),
    sig("rt_tgsigqueueinfo", kAll, {{"tgid", Int}, {"tid", Int}, {"sig", Int}, {"info", Ptr}}),
    sig("sched_getaffinity", kAll, {{"pid", Int}, {"len", UInt}, {"mask", Ptr}}),
    sig("sched_setaffinity", kAll, {{"pid", Int}, {"len", UInt}, {"mask", Ptr}}),
    sig("sched_setattr", kAll, {{"pid", Int}, {"attr", Ptr}, {"flags", UInt}}),
    sig("sched_setparam", kAll, {{"pid", Int}, {"param", Ptr}}),
    sig("sched_setscheduler", kAll, {{"pid", Int}, {"policy", Int}, {"param", Ptr}}),
    sig("seccomp", kAll, {{"op", UInt}, {"flags", UInt}, {"args", Ptr}}),
    sig("send", kAll, {{"fd", Fd}, {"buf", Ptr}, {"len", ULong}, {"flags", UInt}}),
    sig("sendfile", kAll, {{"out_fd", Fd}, {"in_fd", Fd}, {"offset", Ptr}, {"count", ULong}}),
    sig("sendfile64", kRegs32, {{"out_fd", Fd}, {"in_fd", Fd}, {"offset", Ptr}, {"count", ULong}}),
    sig("sendmmsg", kAll, {{"fd", Fd}, {"msgvec", Ptr}, {"vlen", UInt}, {"flags", UInt}}),
    sig("sendmsg", kAll, {{"fd", Fd}, {"msg", Ptr}, {"flags", UInt}}),
    sig("sendto", kAll,
        {{"fd", Fd}, {"buf", Ptr}, {"len", ULong}, {"flags", UInt}, {"dest_addr", Ptr}, {"addrlen", Int}}),
    sig("setdomainname", kAll, {{"name", Ptr}, {"len", Int}}),
    // Like chown, the 32-bit arches' set*id without the 32 suffix take 16-bit ids.
    sig("setfsgid", kRegs64, {{"fsgid", UInt}}),
    sig("setfsgid", kRegs32, {{"fsgid", UShort}}),
    sig("setfsgid32", kRegs32, {{"fsgid", UInt}}),
    sig("setfsuid", kRegs64, {{"fsuid", UInt}}),
    sig("setfsuid", kRegs32, {{"fsuid", UShort}}),
    sig("setfsuid32", kRegs32, {{"fsuid", UInt}}),
    sig("setgid", kRegs64, {{"gid", UInt}}),
    sig("setgid", kRegs32, {{"gid", UShort}}),
    sig("setgid32", kRegs32, {{"gid", UInt}}),
    sig("setgroups", kRegs64, {{"size", Int}, {"list", Ptr}}),
    sig("setgroups32", kRegs32, {{"size", Int}, {"list", Ptr}}),
    sig("sethostname", kAll, {{"name", Ptr}, {"len", Int}}),
    sig("setns", kAll, {{"fd", Fd}, {"nstype", Int}}),
    sig("setpgid", kAll, {{"pid", Int}, {"pgid", Int}}),
    sig("setpriority", kAll, {{"which", Int}, {"who", Int}, {"prio", Int}}),
    sig("setregid", kRegs64, {{"rgid", UInt}, {"egid", UInt}}),
    sig("setregid", kRegs32, {{"rgid", UShort}, {"egid", UShort}}),
    sig("setregid32", kRegs32, {{"rgid", UInt}, {"egid", UInt}}),
    sig("setresgid", kRegs64, {{"rgid", UInt}, {"egid", UInt}, {"sgid", UInt}}),
    sig("setresgid", kRegs32, {{"rgid", UShort}, {"egid", UShort}, {"sgid", UShort}}),
    sig("setresgid32", kRegs32, {{"rgid", UInt}, {"egid", UInt}, {"sgid", UInt}}),
    sig("setresuid", kRegs64, {{"ruid", UInt}, {"euid", UInt}, {"suid", UInt}}),
    sig("setresuid", kRegs32, {{"ruid", UShort}, {"euid", UShort}, {"suid", UShort}}),
    sig("setresuid32", kRegs32, {{"ruid", UInt}, {"euid", UInt}, {"suid", UInt}}),
    sig("setreuid", kRegs64, {{"ruid", UInt}, {"euid", UInt}}),
    sig("setreuid", kRegs32, {{"ruid", UShort}, {"euid", UShort}}),
    sig("setreuid32", kRegs32, {{"ruid", UInt}, {"euid", UInt}}),
    sig("setrlimit", kAll, {{"resource", UInt}, {"rlim", Ptr}}),
    sig("setsockopt", kAll, {{"fd", Fd}, {"level", Int}, {"optname", Int}, {"optval", Ptr}, {"optlen", Int}}),
    sig("setuid", kRegs64, {{"uid", UInt}}),
    // x86 and arm keep the 16-bit-uid originals under the plain names (old_uid_t is unsigned short);
    // glibc calls the *32 forms there.
    sig("setuid", kRegs32, {{"uid", UShort}}),
    sig("setuid32", kRegs32, {{"uid", UInt}}),
    sig("shmat", kAll, {{"shmid", Int}, {"shmaddr", Ptr}, {"shmflg", Int}}),
    sig("shmctl", kAll, {{"shmid", Int}, {"cmd", Int}, {"buf", Ptr}}),
    sig("shmget", kAll, {{"key", Int}, {"size", ULong}, {"shmflg", Int}}),
    sig("shutdown", kAll, {{"fd", Fd}, {"how", Int}}),
    sig("sigaltstack", kAll, {{"ss", Ptr}, {"old_ss", Ptr}}),
    sig("signalfd", kAll, {{"fd", Fd}, {"mask", Ptr}, {"sizemask", ULong}}),
    sig("signalfd4", kAll, {{"fd", Fd}, {"mask", Ptr}, {"sizemask", ULong}, {"flags", Int}}),
    sig("socket", kAll, {{"domain", Int}, {"type", Int}, {"protocol", Int}}),
    sig("socketcall", kAll, {{"call", Int}, {"args", Ptr}}),
    sig("socketpair", kAll, {{"domain", Int}, {"type", Int}, {"protocol", Int}, {"sv", Ptr}}),
    sig("stat", kAll, {{"path", Ptr}, {"statbuf", Ptr}}),
    sig("statx", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"flags", UInt}, {"mask", UInt}, {"statxbuf", Ptr}}),
    sig("swapoff", kAll, {{"path", Ptr}}),
    sig("swapon", kAll, {{"path", Ptr}, {"swapflags", Int}}),
    sig("symlink", kAll, {{"target", Ptr}, {"linkpath", Ptr}}),
    sig("symlinkat", kAll, {{"target", Ptr}, {"newdirfd", Fd}, {"linkpath", Ptr}}),
    sig("sync_file_range", kRegs64, {{"fd", Fd}, {"offset", Long}, {"nbytes", Long}, {"flags", UInt}}),
    sig("syslog", kAll, {{"type", Int}, {"buf", Ptr}, {"len", Int}}),
    sig("tgkill", kAll, {{"tgid", Int}, {"tid", Int}, {"sig", Int}}),
    sig("timer_create", kAll, {{"clockid", Int}, {"sevp", Ptr}, {"timerid", Ptr}}),
    sig("timerfd_create", kAll, {{"clockid", Int}, {"flags", Int}}),
    sig("timerfd_settime", kAll, {{"fd", Fd}, {"flags", Int}, {"new_value", Ptr}, {"old_value", Ptr}}),
    sig("timerfd_settime64", kRegs32, {{"fd", Fd}, {"flags", Int}, {"new_value", Ptr}, {"old_value", Ptr}}),
    sig("tkill", kAll, {{"tid", Int}, {"sig", Int}}),
    sig("truncate", kAll, {{"path", Ptr}, {"length", Long}}),
    sig("umask", kAll, {{"mask", Int}}),
    sig("umount", kAll, {{"target", Ptr}}),
    sig("umount2", kAll, {{"target", Ptr}, {"flags", Int}}),
    sig("unlink", kAll, {{"path", Ptr}}),
    sig("unlinkat", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"flags", Int}}),
    // Unlike clone, unshare rejects unknown flag bits with EINVAL, so all of them are compared.
    sig("unshare", kAll, {{"flags", ULong}}),
    sig("userfaultfd", kAll, {{"flags", Int}}),
    sig("utimensat", kAll, {{"dirfd", Fd}, {"path", Ptr}, {"times", Ptr}, {"flags", Int}}),
    sig("utimensat_time64", kRegs32, {{"dirfd", Fd}, {"path", Ptr}, {"times", Ptr}, {"flags", Int}}),
    sig("wait4", kAll, {{"pid", Int}, {"wstatus", Ptr}, {"options", Int}, {"rusage", Ptr}}),
    sig("waitid", kAll, {{"idtype", Int}, {"id", Int}, {"infop", Ptr}, {"options", Int}, {"rusage", Ptr}}),
    sig("write", kAll, {{"fd", Fd}, {"buf", Ptr}, {"count", ULong}}),
    sig("writev", kAll, {{"fd", Fd}, {"iov", Ptr}, {"iovcnt", ULong}}),
};

// Widths that depend on another argument, from the kernel's handlers (docs/argument-widths.md
// lists them with the function that narrows each). An argument missing here is read at its
// signature's type for every value of every other argument.
struct DependentEntry {
  std::string_view syscall;
  ArchSet arches;
  DependentWidth width;
};

// do_fcntl() (fs/fcntl.c) reads `int argi = (int)arg` for these commands and the whole register
// (a pointer, or nothing) for the others.
constexpr SelectorValue kFcntlIntCommands[] = {
    {"F_DUPFD", 0},         {"F_SETFL", 4},        {"F_SETOWN", 8},         {"F_SETSIG", 10},
    {"F_SETLEASE", 1024},   {"F_NOTIFY", 1026},    {"F_DUPFD_QUERY", 1027}, {"F_DUPFD_CLOEXEC", 1030},
    {"F_SETPIPE_SZ", 1031}, {"F_ADD_SEALS", 1033},
};
// F_SETFD keeps only FD_CLOEXEC of that int: set_close_on_exec(fd, argi & FD_CLOEXEC), so
// `fcntl(fd, F_SETFD, 2)` clears close-on-exec like 0 does.
constexpr SelectorValue kFcntlSetfd[] = {{"F_SETFD", 2}};
// sys_futex() (kernel/futex/syscalls.c) passes `(unsigned long)utime` to do_futex()'s `u32 val2`,
// which these commands use as a count; the others read a timespec pointer or nothing. The command
// is `op & FUTEX_CMD_MASK`, without FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME (256).
constexpr uint64_t kFutexCmdMask = 0xffffffffu & ~uint64_t{128 | 256};
constexpr SelectorValue kFutexVal2Commands[] = {
    {"FUTEX_REQUEUE", 3}, {"FUTEX_CMP_REQUEUE", 4}, {"FUTEX_WAKE_OP", 5}, {"FUTEX_CMP_REQUEUE_PI", 12}};
// keyctl's dispatcher (security/keys/keyctl.c) casts its parameters per operation: key serials
// (key_serial_t, an int32_t), ints, uid_t, gid_t and unsigned counts. The other operations read a
// pointer or size_t there (the whole register), or nothing.
constexpr SelectorValue kKeyctlParam2Int[] = {
    {"KEYCTL_GET_KEYRING_ID", 0},
    {"KEYCTL_UPDATE", 2},
    {"KEYCTL_REVOKE", 3},
    {"KEYCTL_CHOWN", 4},
    {"KEYCTL_SETPERM", 5},
    {"KEYCTL_DESCRIBE", 6},
    {"KEYCTL_CLEAR", 7},
    {"KEYCTL_LINK", 8},
    {"KEYCTL_UNLINK", 9},
    {"KEYCTL_SEARCH", 10},
    {"KEYCTL_READ", 11},
    {"KEYCTL_INSTANTIATE", 12},
    {"KEYCTL_NEGATE", 13},
    {"KEYCTL_SET_REQKEY_KEYRING", 14},
    {"KEYCTL_SET_TIMEOUT", 15},
    {"KEYCTL_ASSUME_AUTHORITY", 16},
    {"KEYCTL_GET_SECURITY", 17},
    {"KEYCTL_REJECT", 19},
    {"KEYCTL_INSTANTIATE_IOV", 20},
    {"KEYCTL_INVALIDATE", 21},
    {"KEYCTL_PKEY_QUERY", 24},
    {"KEYCTL_RESTRICT_KEYRING", 29},
    {"KEYCTL_MOVE", 30},
    {"KEYCTL_WATCH_KEY", 32},
};
constexpr SelectorValue kKeyctlParam2UInt[] = {{"KEYCTL_GET_PERSISTENT", 22}};
constexpr SelectorValue kKeyctlParam3Int[] = {{"KEYCTL_GET_KEYRING_ID", 0}, {"KEYCTL_LINK", 8},
                                              {"KEYCTL_UNLINK", 9},         {"KEYCTL_GET_PERSISTENT", 22},
                                              {"KEYCTL_MOVE", 30},          {"KEYCTL_WATCH_KEY", 32}};
constexpr SelectorValue kKeyctlParam3UInt[] = {{"KEYCTL_CHOWN", 4},
                                               {"KEYCTL_SETPERM", 5},
                                               {"KEYCTL_NEGATE", 13},
                                               {"KEYCTL_SET_TIMEOUT", 15},
                                               {"KEYCTL_REJECT", 19}};
constexpr SelectorValue kKeyctlParam4Int[] = {{"KEYCTL_NEGATE", 13}, {"KEYCTL_MOVE", 30}, {"KEYCTL_WATCH_KEY", 32}};
constexpr SelectorValue kKeyctlParam4UInt[] = {
    {"KEYCTL_CHOWN", 4}, {"KEYCTL_DESCRIBE", 6}, {"KEYCTL_REJECT", 19}, {"KEYCTL_INSTANTIATE_IOV", 20}};
constexpr SelectorValue kKeyctlParam5Int[] = {
    {"KEYCTL_SEARCH", 10}, {"KEYCTL_INSTANTIATE", 12}, {"KEYCTL_REJECT", 19}, {"KEYCTL_INSTANTIATE_IOV", 20}};
constexpr SelectorValue kKeyctlParam5UInt[] = {{"KEYCTL_MOVE", 30}};
constexpr std::string_view kKeyctlReader = "SYSCALL_DEFINE5(keyctl) (security/keys/keyctl.c): per-operation casts";
constexpr SelectorValue kPrSetMm[] = {{"PR_SET_MM", 35}};
constexpr SelectorValue kPrSchedCore[] = {{"PR_SCHED_CORE", 62}};
constexpr SelectorValue kPrSetPtracer[] = {{"PR_SET_PTRACER", 0x59616d61}};
constexpr SelectorValue kPrSetTsc[] = {{"PR_SET_TSC", 26}};
constexpr SelectorValue kKcmpFile[] = {{"KCMP_FILE", 0}};
constexpr SelectorValue kKcmpFileOrEpoll[] = {{"KCMP_FILE", 0}, {"KCMP_EPOLL_TFD", 7}};
constexpr SelectorValue kFiclone[] = {{"FICLONE", 0x40049409}};

constexpr uint64_t kWhole = ~uint64_t{0};

// Sorted by syscall name.
constexpr DependentEntry kDependentWidths[] = {
    {"fcntl", kAll, {"arg", "cmd", kWhole, Int, kFcntlIntCommands, "do_fcntl() (fs/fcntl.c): int argi = (int)arg"}},
    {"fcntl", kAll, {"arg", "cmd", kWhole, Bit0, kFcntlSetfd, "do_fcntl() (fs/fcntl.c): argi & FD_CLOEXEC"}},
    {"fcntl64",
     kRegs32,
     {"arg", "cmd", kWhole, Int, kFcntlIntCommands, "do_fcntl() (fs/fcntl.c): int argi = (int)arg"}},
    {"fcntl64", kRegs32, {"arg", "cmd", kWhole, Bit0, kFcntlSetfd, "do_fcntl() (fs/fcntl.c): argi & FD_CLOEXEC"}},
    {"futex",
     kAll,
     {"timeout", "op", kFutexCmdMask, UInt, kFutexVal2Commands,
      "sys_futex() (kernel/futex/syscalls.c): do_futex(..., u32 val2 = (unsigned long)utime, ...)"}},
    {"futex_time64",
     kRegs32,
     {"timeout", "op", kFutexCmdMask, UInt, kFutexVal2Commands,
      "sys_futex_time32/64() (kernel/futex/syscalls.c): do_futex(..., u32 val2, ...)"}},
    {"ioctl",
     kNotX32,
     {"arg", "request", kWhole, UInt, kFiclone,
      "ioctl_file_clone(..., unsigned long srcfd, ...) (fs/ioctl.c): fdget() takes an unsigned int"}},
    {"kcmp",
     kAll,
     {"idx1", "type", kWhole, UInt, kKcmpFileOrEpoll,
      "get_file_raw_ptr(task, unsigned int idx) (kernel/kcmp.c), also through kcmp_epoll_target()"}},
    {"kcmp",
     kAll,
     {"idx2", "type", kWhole, UInt, kKcmpFile, "get_file_raw_ptr(task, unsigned int idx) (kernel/kcmp.c)"}},
    {"keyctl", kAll, {"param2", "op", kWhole, Int, kKeyctlParam2Int, kKeyctlReader}},
    {"keyctl", kAll, {"param2", "op", kWhole, UInt, kKeyctlParam2UInt, kKeyctlReader}},
    {"keyctl", kAll, {"param3", "op", kWhole, Int, kKeyctlParam3Int, kKeyctlReader}},
    {"keyctl", kAll, {"param3", "op", kWhole, UInt, kKeyctlParam3UInt, kKeyctlReader}},
    {"keyctl", kAll, {"param4", "op", kWhole, Int, kKeyctlParam4Int, kKeyctlReader}},
    {"keyctl", kAll, {"param4", "op", kWhole, UInt, kKeyctlParam4UInt, kKeyctlReader}},
    {"keyctl", kAll, {"param5", "op", kWhole, Int, kKeyctlParam5Int, kKeyctlReader}},
    {"keyctl", kAll, {"param5", "op", kWhole, UInt, kKeyctlParam5UInt, kKeyctlReader}},
    {"prctl", kAll, {"param2", "option", kWhole, Int, kPrSetMm, "prctl_set_mm(int opt, ...) (kernel/sys.c)"}},
    {"prctl",
     kAll,
     {"param2", "option", kWhole, UInt, kPrSchedCore,
      "sched_core_share_pid(unsigned int cmd, ...) (kernel/sched/core_sched.c)"}},
    {"prctl",
     kAll,
     {"param2", "option", kWhole, Int, kPrSetPtracer,
      "yama_task_prctl() (security/yama/yama_lsm.c): (int)arg2 == -1, find_get_task_by_vpid(pid_t)"}},
    {"prctl",
     kX86Family,
     {"param2", "option", kWhole, UInt, kPrSetTsc, "set_tsc_mode(unsigned int val) (arch/x86/kernel/process.c)"}},
    {"prctl",
     kAll,
     {"param3", "option", kWhole, Int, kPrSchedCore,
      "sched_core_share_pid(..., pid_t pid, ...) (kernel/sched/core_sched.c)"}},
    {"prctl",
     kAll,
     {"param4", "option", kWhole, UInt, kPrSchedCore,
      "sched_core_share_pid(..., enum pid_type type, ...) (kernel/sched/core_sched.c)"}},
};

// kSignatures is sorted by syscall (asserted below): a binary search keeps the compile-time checks
// within clang's constexpr step limit.
constexpr std::optional<ArgType> declared_type(std::string_view syscall, ArchSet arches, std::string_view arg) {
  std::optional<ArgType> found;
  const Signature* first = std::lower_bound(std::begin(kSignatures), std::end(kSignatures), syscall,
                                            [](const Signature& s, std::string_view name) { return s.syscall < name; });
  for (const Signature* it = first; it != std::end(kSignatures) && it->syscall == syscall; ++it) {
    const Signature& s = *it;
    if ((s.arches & arches) == 0) continue;
    for (size_t i = 0; i < s.count; ++i)
      if (s.args[i].name == arg) found = s.args[i].type;
  }
  return found;
}

constexpr unsigned nominal_bits(ArgType t) {
  return t == Bit0 ? 1 : t == UShort ? 16 : (t == Int || t == UInt || t == Fd) ? 32 : 64;
}

constexpr bool lower_snake_case(std::string_view s) {
  if (s.empty() || s.front() < 'a' || s.front() > 'z' || s.back() == '_') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '_' && s[i - 1] != '_');
    if (!ok) return false;
  }
  return true;
}

constexpr bool is_index_reference(std::string_view s) {
  return s.size() == 4 && s.substr(0, 3) == "arg" && s[3] >= '0' && s[3] <= '5';
}

static_assert(
    [] {
      for (size_t i = 1; i < std::size(kSignatures); ++i) {
        const Signature& prev = kSignatures[i - 1];
        const Signature& cur = kSignatures[i];
        if (cur.syscall < prev.syscall) return false;
        if (cur.syscall == prev.syscall && (cur.arches & prev.arches) != 0) return false;
      }
      return true;
    }(),
    "kSignatures must be sorted by syscall, and one syscall's entries must cover disjoint arches");
static_assert(
    [] {
      for (const Signature& s : kSignatures) {
        if (s.count > kMaxArgs || s.arches == 0 || (s.arches & ~kAll) != 0) return false;
        for (size_t i = 0; i < s.count; ++i) {
          if (!lower_snake_case(s.args[i].name) || is_index_reference(s.args[i].name)) return false;
          for (size_t j = 0; j < i; ++j)
            if (s.args[j].name == s.args[i].name) return false;
        }
      }
      return true;
    }(),
    "argument names must be unique lower_snake_case names other than arg0..arg5, at most 6");

static_assert(
    [] {
      for (size_t i = 0; i < std::size(kDependentWidths); ++i) {
        const DependentEntry& e = kDependentWidths[i];
        if (i > 0 && e.syscall < kDependentWidths[i - 1].syscall) return false;
        // Both arguments exist on every arch the entry names, and the narrowed type is narrower.
        for (Arch a : arch::kAllArches) {
          if ((e.arches & bit(a)) == 0) continue;
          const auto t = declared_type(e.syscall, bit(a), e.width.arg);
          if (!t || !declared_type(e.syscall, bit(a), e.width.selector)) return false;
          if (nominal_bits(e.width.narrow) > nominal_bits(*t)) return false;
        }
        // One syscall has one selector (sema splits a condition by its regions), and one argument's
        // classes are disjoint on every arch they share.
        for (size_t j = 0; j < i; ++j) {
          const DependentEntry& o = kDependentWidths[j];
          if (o.syscall != e.syscall || (o.arches & e.arches) == 0) continue;
          if (o.width.selector != e.width.selector || o.width.selector_mask != e.width.selector_mask) return false;
          if (o.width.arg != e.width.arg) continue;
          for (const SelectorValue& x : e.width.values)
            for (const SelectorValue& y : o.width.values)
              if (x.value == y.value) return false;
        }
      }
      return true;
    }(),
    "kDependentWidths: sorted, arguments that exist, narrower types, one selector per syscall, disjoint classes per argument");

}  // namespace

std::optional<std::span<const ArgSpec>> syscall_signature(std::string_view syscall, Arch arch) {
  const Signature* it = std::lower_bound(std::begin(kSignatures), std::end(kSignatures), syscall,
                                         [](const Signature& s, std::string_view name) { return s.syscall < name; });
  for (; it != std::end(kSignatures) && it->syscall == syscall; ++it)
    if ((it->arches & bit(arch)) != 0) return std::span<const ArgSpec>(it->args.data(), it->count);
  return std::nullopt;
}

std::span<const DependentWidth> dependent_widths(std::string_view syscall, Arch arch) {
  // A small table: the syscalls with entries are few, and each has at most a handful.
  static const auto per_arch = [] {
    std::array<std::vector<std::pair<std::string_view, std::vector<DependentWidth>>>, arch::kAllArches.size()> out;
    for (size_t ai = 0; ai < arch::kAllArches.size(); ++ai)
      for (const DependentEntry& e : kDependentWidths) {
        if ((e.arches & bit(arch::kAllArches[ai])) == 0) continue;
        auto& list = out[ai];
        if (list.empty() || list.back().first != e.syscall) list.push_back({e.syscall, {}});
        list.back().second.push_back(e.width);
      }
    return out;
  }();
  for (size_t ai = 0; ai < arch::kAllArches.size(); ++ai) {
    if (arch::kAllArches[ai] != arch) continue;
    for (const auto& [name, widths] : per_arch[ai])
      if (name == syscall) return widths;
  }
  return {};
}

unsigned arg_bits(ArgType type, Arch arch) {
  switch (type) {
    case Bit0: return 1;
    case UShort: return 16;
    case Int:
    case UInt:
    case Fd: return 32;
    case Long:
    case ULong:
    case Ptr:
      // x32 processes enter through the x86_64 syscall path with 64-bit registers, and seccomp
      // sees all 64 bits; native syscalls read them all (x32's C long is 32 bits, but a register
      // is not). Syscalls whose x32 entry truncates have x32 signatures with 32-bit types above.
      if (arch == Arch::x32) return 64;
      return arch::long_bits(arch);
  }
  // Unreachable for valid enumerators; the full width compares every bit, which never loses one.
  return 64;
}

bool arg_signed(ArgType type) { return type == Int || type == Long || type == Fd; }

}  // namespace polc::sema
