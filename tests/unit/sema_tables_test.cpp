// Stage: sema. Checks the constant, errno and signature tables against this (x86_64) machine's own
// headers, and pins the per-arch differences that a filter for another arch depends on.
#include <doctest/doctest.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "compiler/arch/arch.h"
#include "compiler/sema/constants.h"
#include "compiler/sema/syscall_signatures.h"

namespace {

using polc::arch::Arch;
using polc::sema::ArgType;

#define CHECK_HOST_CONSTANT(name) \
  CHECK_MESSAGE(polc::sema::constant_value(#name, Arch::x86_64) == static_cast<uint64_t>(name), #name)

#define CHECK_HOST_ERRNO(name) \
  CHECK_MESSAGE(polc::sema::errno_value(#name, Arch::x86_64) == static_cast<uint16_t>(name), #name)

}  // namespace

TEST_CASE("constants match this x86_64 machine's headers") {
  CHECK_HOST_CONSTANT(AF_UNSPEC);
  CHECK_HOST_CONSTANT(AF_UNIX);
  CHECK_HOST_CONSTANT(AF_LOCAL);
  CHECK_HOST_CONSTANT(AF_INET);
  CHECK_HOST_CONSTANT(AF_INET6);
  CHECK_HOST_CONSTANT(AF_NETLINK);
  CHECK_HOST_CONSTANT(AF_PACKET);
  CHECK_HOST_CONSTANT(AF_BLUETOOTH);
  CHECK_HOST_CONSTANT(AF_ALG);
  CHECK_HOST_CONSTANT(AF_VSOCK);
  CHECK_HOST_CONSTANT(AF_XDP);
  CHECK_HOST_CONSTANT(AF_DECnet);
  CHECK_HOST_CONSTANT(SOCK_STREAM);
  CHECK_HOST_CONSTANT(SOCK_DGRAM);
  CHECK_HOST_CONSTANT(SOCK_RAW);
  CHECK_HOST_CONSTANT(SOCK_SEQPACKET);
  CHECK_HOST_CONSTANT(SOCK_PACKET);
  CHECK_HOST_CONSTANT(SOCK_NONBLOCK);
  CHECK_HOST_CONSTANT(SOCK_CLOEXEC);
  CHECK_HOST_CONSTANT(IPPROTO_TCP);
  CHECK_HOST_CONSTANT(IPPROTO_UDP);
  CHECK_HOST_CONSTANT(IPPROTO_ICMPV6);
  CHECK_HOST_CONSTANT(NETLINK_AUDIT);
  CHECK_HOST_CONSTANT(O_RDONLY);
  CHECK_HOST_CONSTANT(O_WRONLY);
  CHECK_HOST_CONSTANT(O_RDWR);
  CHECK_HOST_CONSTANT(O_ACCMODE);
  CHECK_HOST_CONSTANT(O_CREAT);
  CHECK_HOST_CONSTANT(O_EXCL);
  CHECK_HOST_CONSTANT(O_TRUNC);
  CHECK_HOST_CONSTANT(O_APPEND);
  CHECK_HOST_CONSTANT(O_NONBLOCK);
  CHECK_HOST_CONSTANT(O_DSYNC);
  CHECK_HOST_CONSTANT(O_SYNC);
  CHECK_HOST_CONSTANT(O_DIRECT);
  CHECK_HOST_CONSTANT(O_DIRECTORY);
  CHECK_HOST_CONSTANT(O_NOFOLLOW);
  CHECK_HOST_CONSTANT(O_NOATIME);
  CHECK_HOST_CONSTANT(O_CLOEXEC);
  CHECK_HOST_CONSTANT(O_PATH);
  CHECK_HOST_CONSTANT(O_TMPFILE);
  CHECK_HOST_CONSTANT(AT_SYMLINK_NOFOLLOW);
  CHECK_HOST_CONSTANT(AT_REMOVEDIR);
  CHECK_HOST_CONSTANT(AT_EMPTY_PATH);
  CHECK_HOST_CONSTANT(CLONE_VM);
  CHECK_HOST_CONSTANT(CLONE_THREAD);
  CHECK_HOST_CONSTANT(CLONE_NEWUSER);
  CHECK_HOST_CONSTANT(CLONE_NEWNS);
  CHECK_HOST_CONSTANT(CLONE_NEWNET);
  CHECK_HOST_CONSTANT(CLONE_PIDFD);
  CHECK_HOST_CONSTANT(CLONE_NEWTIME);
  CHECK_HOST_CONSTANT(CSIGNAL);
  CHECK_HOST_CONSTANT(PROT_READ);
  CHECK_HOST_CONSTANT(PROT_WRITE);
  CHECK_HOST_CONSTANT(PROT_EXEC);
  CHECK_HOST_CONSTANT(PROT_GROWSDOWN);
  CHECK_HOST_CONSTANT(MAP_SHARED);
  CHECK_HOST_CONSTANT(MAP_PRIVATE);
  CHECK_HOST_CONSTANT(MAP_SHARED_VALIDATE);
  CHECK_HOST_CONSTANT(MAP_FIXED);
  CHECK_HOST_CONSTANT(MAP_ANONYMOUS);
  CHECK_HOST_CONSTANT(MAP_32BIT);
  CHECK_HOST_CONSTANT(MAP_STACK);
  CHECK_HOST_CONSTANT(MAP_HUGETLB);
  CHECK_HOST_CONSTANT(MAP_FIXED_NOREPLACE);
  CHECK_HOST_CONSTANT(TCGETS);
  CHECK_HOST_CONSTANT(TCSETS);
  CHECK_HOST_CONSTANT(TIOCGWINSZ);
  CHECK_HOST_CONSTANT(TIOCSTI);
  CHECK_HOST_CONSTANT(TIOCLINUX);
  CHECK_HOST_CONSTANT(TIOCGPTN);
  CHECK_HOST_CONSTANT(TIOCSPTLCK);
  CHECK_HOST_CONSTANT(TIOCGPTPEER);
  CHECK_HOST_CONSTANT(FIONREAD);
  CHECK_HOST_CONSTANT(FIONBIO);
  CHECK_HOST_CONSTANT(FIOCLEX);
  CHECK_HOST_CONSTANT(SIOCGIFCONF);
  CHECK_HOST_CONSTANT(SIOCGIFINDEX);
  CHECK_HOST_CONSTANT(FICLONE);
  CHECK_HOST_CONSTANT(FIDEDUPERANGE);
  CHECK_HOST_CONSTANT(FS_IOC_GETFLAGS);
  CHECK_HOST_CONSTANT(PER_LINUX);
  CHECK_HOST_CONSTANT(PER_LINUX32);
  CHECK_HOST_CONSTANT(ADDR_NO_RANDOMIZE);
  CHECK_HOST_CONSTANT(READ_IMPLIES_EXEC);
  CHECK_HOST_CONSTANT(PR_SET_NO_NEW_PRIVS);
  CHECK_HOST_CONSTANT(PR_SET_SECCOMP);
  CHECK_HOST_CONSTANT(PR_SET_PTRACER);
  CHECK_HOST_CONSTANT(PR_CAPBSET_DROP);
  CHECK_HOST_CONSTANT(F_DUPFD_CLOEXEC);
  CHECK_HOST_CONSTANT(F_SETFL);
  CHECK_HOST_CONSTANT(F_SETLKW);
  CHECK_HOST_CONSTANT(F_ADD_SEALS);
  CHECK_HOST_CONSTANT(FD_CLOEXEC);
  CHECK_HOST_CONSTANT(MADV_DONTNEED);
  CHECK_HOST_CONSTANT(MADV_FREE);
  CHECK_HOST_CONSTANT(MADV_DONTFORK);
  CHECK_HOST_CONSTANT(SIGKILL);
  CHECK_HOST_CONSTANT(SIGSYS);
  CHECK_HOST_CONSTANT(SIGCHLD);
  CHECK_HOST_CONSTANT(SIGUSR2);
  CHECK_HOST_CONSTANT(SOL_SOCKET);
  CHECK_HOST_CONSTANT(SO_REUSEADDR);
  CHECK_HOST_CONSTANT(MSG_NOSIGNAL);
  CHECK_HOST_CONSTANT(CLOCK_MONOTONIC);
  CHECK_HOST_CONSTANT(CLOCK_BOOTTIME);
  CHECK_HOST_CONSTANT(CLOCK_THREAD_CPUTIME_ID);

  // glibc defines O_LARGEFILE as 0 on 64-bit arches; the kernel (and so seccomp) sees 0100000.
  CHECK(polc::sema::constant_value("O_LARGEFILE", Arch::x86_64) == 0100000u);
  // AT_FDCWD is -100 as a 32-bit int, the width sema compares dirfd arguments at.
  CHECK(polc::sema::constant_value("AT_FDCWD", Arch::x86_64) == static_cast<uint32_t>(AT_FDCWD));
  CHECK(polc::sema::constant_value("PERSONALITY_QUERY", Arch::x86_64) == 0xffffffffu);
}

TEST_CASE("open flags follow arm's fcntl.h on arm and aarch64, asm-generic elsewhere") {
  for (Arch a : {Arch::aarch64, Arch::arm}) {
    CAPTURE(polc::arch::name(a));
    CHECK(polc::sema::constant_value("O_DIRECTORY", a) == 040000u);
    CHECK(polc::sema::constant_value("O_NOFOLLOW", a) == 0100000u);
    CHECK(polc::sema::constant_value("O_DIRECT", a) == 0200000u);
    CHECK(polc::sema::constant_value("O_LARGEFILE", a) == 0400000u);
    CHECK(polc::sema::constant_value("O_TMPFILE", a) == (020000000u | 040000u));
    CHECK(polc::sema::constant_value("O_CLOEXEC", a) == 02000000u);
  }
  for (Arch a : {Arch::x86_64, Arch::x86, Arch::x32, Arch::riscv64, Arch::s390x}) {
    CAPTURE(polc::arch::name(a));
    CHECK(polc::sema::constant_value("O_DIRECTORY", a) == 0200000u);
    CHECK(polc::sema::constant_value("O_NOFOLLOW", a) == 0400000u);
    CHECK(polc::sema::constant_value("O_DIRECT", a) == 040000u);
    CHECK(polc::sema::constant_value("O_LARGEFILE", a) == 0100000u);
  }
}

TEST_CASE("arch-specific constants are undefined where the ABI lacks them") {
  CHECK(polc::sema::constant_value("MAP_32BIT", Arch::x32) == 0x40u);
  CHECK_FALSE(polc::sema::constant_value("MAP_32BIT", Arch::aarch64).has_value());
  CHECK_FALSE(polc::sema::constant_value("MAP_32BIT", Arch::s390x).has_value());
  CHECK(polc::sema::constant_value("PROT_BTI", Arch::aarch64) == 0x10u);
  CHECK_FALSE(polc::sema::constant_value("PROT_BTI", Arch::arm).has_value());
  CHECK(polc::sema::constant_value("F_GETLK64", Arch::x86) == 12u);
  CHECK(polc::sema::constant_value("F_GETLK64", Arch::arm) == 12u);
  CHECK_FALSE(polc::sema::constant_value("F_GETLK64", Arch::x86_64).has_value());
  CHECK_FALSE(polc::sema::constant_value("F_GETLK64", Arch::x32).has_value());
  // The category is known even where the value is not, so diagnostics can say why.
  CHECK(polc::sema::constant_category("MAP_32BIT") == "mmap flag");
}

TEST_CASE("ioctl numbers that encode sizeof(long) differ on the 32-bit ABIs") {
  CHECK(polc::sema::constant_value("FS_IOC_GETFLAGS", Arch::x86_64) == 0x80086601u);
  CHECK(polc::sema::constant_value("FS_IOC_GETFLAGS", Arch::aarch64) == 0x80086601u);
  CHECK(polc::sema::constant_value("FS_IOC_GETFLAGS", Arch::x86) == 0x80046601u);
  CHECK(polc::sema::constant_value("FS_IOC_GETFLAGS", Arch::x32) == 0x80046601u);
  CHECK(polc::sema::constant_value("FS_IOC_GETFLAGS", Arch::arm) == 0x80046601u);
  CHECK(polc::sema::constant_value("FIOQSIZE", Arch::x86_64) == 0x5460u);
  CHECK(polc::sema::constant_value("FIOQSIZE", Arch::s390x) == 0x545eu);
  for (Arch a : polc::arch::kAllArches) {
    CAPTURE(polc::arch::name(a));
    CHECK(polc::sema::constant_value("TIOCSTI", a) == 0x5412u);
    CHECK(polc::sema::constant_value("TCGETS", a) == 0x5401u);
  }
}

TEST_CASE("the constants the brief requires exist on every arch") {
  for (std::string_view name : {"AF_UNSPEC",
                                "AF_UNIX",
                                "AF_LOCAL",
                                "AF_INET",
                                "AF_INET6",
                                "AF_NETLINK",
                                "AF_PACKET",
                                "AF_BLUETOOTH",
                                "AF_ALG",
                                "AF_VSOCK",
                                "AF_KEY",
                                "AF_XDP",
                                "AF_CAN",
                                "AF_TIPC",
                                "AF_RDS",
                                "AF_APPLETALK",
                                "AF_X25",
                                "AF_AX25",
                                "AF_NETROM",
                                "AF_ROSE",
                                "AF_IPX",
                                "AF_DECnet",
                                "AF_LLC",
                                "AF_IB",
                                "AF_MPLS",
                                "AF_NFC",
                                "AF_KCM",
                                "AF_QIPCRTR",
                                "AF_SMC",
                                "AF_MCTP",
                                "SOCK_RDM",
                                "SOCK_PACKET",
                                "O_NOCTTY",
                                "O_APPEND",
                                "CLONE_FS",
                                "CLONE_FILES",
                                "CLONE_SIGHAND",
                                "CLONE_PTRACE",
                                "CLONE_VFORK",
                                "CLONE_PARENT",
                                "CLONE_SYSVSEM",
                                "CLONE_SETTLS",
                                "CLONE_PARENT_SETTID",
                                "CLONE_CHILD_CLEARTID",
                                "CLONE_DETACHED",
                                "CLONE_UNTRACED",
                                "CLONE_CHILD_SETTID",
                                "CLONE_NEWCGROUP",
                                "CLONE_NEWUTS",
                                "CLONE_NEWIPC",
                                "CLONE_NEWPID",
                                "CLONE_IO",
                                "PROT_NONE",
                                "PROT_GROWSUP",
                                "PROT_SEM",
                                "MAP_GROWSDOWN",
                                "MAP_DENYWRITE",
                                "MAP_EXECUTABLE",
                                "MAP_LOCKED",
                                "MAP_NORESERVE",
                                "MAP_POPULATE",
                                "MAP_NONBLOCK",
                                "MAP_SYNC",
                                "TCSETSW",
                                "TCSETSF",
                                "TCGETA",
                                "TIOCSWINSZ",
                                "TIOCGPGRP",
                                "TIOCSPGRP",
                                "TIOCSCTTY",
                                "TIOCSETD",
                                "TIOCGETD",
                                "FIONCLEX",
                                "FIOASYNC",
                                "TIOCOUTQ",
                                "TIOCNOTTY",
                                "TIOCCONS",
                                "TIOCEXCL",
                                "TIOCNXCL",
                                "TCFLSH",
                                "TCXONC",
                                "TCSBRK",
                                "SIOCGIFFLAGS",
                                "SIOCGIFADDR",
                                "ADDR_COMPAT_LAYOUT",
                                "ADDR_LIMIT_32BIT",
                                "SHORT_INODE",
                                "WHOLE_SECONDS",
                                "STICKY_TIMEOUTS",
                                "ADDR_LIMIT_3GB",
                                "MMAP_PAGE_ZERO",
                                "UNAME26",
                                "FDPIC_FUNCPTRS",
                                "PER_BSD",
                                "PR_SET_DUMPABLE",
                                "PR_GET_DUMPABLE",
                                "PR_SET_NAME",
                                "PR_GET_NAME",
                                "PR_SET_PDEATHSIG",
                                "PR_CAPBSET_READ",
                                "PR_SET_KEEPCAPS",
                                "PR_SET_MM",
                                "PR_SET_VMA",
                                "F_DUPFD",
                                "F_GETFD",
                                "F_SETFD",
                                "F_GETFL",
                                "F_GETLK",
                                "F_SETLK",
                                "F_SETOWN",
                                "F_GETOWN",
                                "F_SETSIG",
                                "F_GET_SEALS",
                                "MADV_NORMAL",
                                "SIGTERM",
                                "SIGINT",
                                "SIGHUP",
                                "SIGSTOP",
                                "SIGCONT",
                                "SIGUSR1",
                                "SIGSEGV",
                                "SIGPIPE",
                                "SIGALRM",
                                "SO_KEEPALIVE",
                                "CLOCK_REALTIME",
                                "CLOCK_PROCESS_CPUTIME_ID",
                                "CLOCK_MONOTONIC_RAW",
                                "CLOCK_REALTIME_COARSE",
                                "CLOCK_MONOTONIC_COARSE",
                                "MS_RDONLY",
                                "MS_BIND",
                                "MS_REMOUNT",
                                "NETLINK_ROUTE"}) {
    CAPTURE(name);
    CHECK_FALSE(polc::sema::constant_category(name).empty());
    for (Arch a : polc::arch::kAllArches) {
      CAPTURE(polc::arch::name(a));
      CHECK(polc::sema::constant_value(name, a).has_value());
    }
  }
}

TEST_CASE("constant categories") {
  CHECK(polc::sema::constant_category("AF_INET") == "address family");
  CHECK(polc::sema::constant_category("SOCK_STREAM") == "socket type");
  CHECK(polc::sema::constant_category("SOCK_CLOEXEC") == "socket flag");
  CHECK(polc::sema::constant_category("O_CREAT") == "open flag");
  CHECK(polc::sema::constant_category("AT_EMPTY_PATH") == "at flag");
  CHECK(polc::sema::constant_category("CLONE_NEWUSER") == "clone flag");
  CHECK(polc::sema::constant_category("PROT_EXEC") == "mmap prot");
  CHECK(polc::sema::constant_category("TIOCSTI") == "ioctl request");
  CHECK(polc::sema::constant_category("PER_LINUX32") == "personality");
  CHECK(polc::sema::constant_category("PR_SET_SECCOMP") == "prctl option");
  CHECK(polc::sema::constant_category("F_SETFL") == "fcntl command");
  CHECK(polc::sema::constant_category("MADV_DONTFORK") == "madvise advice");
  CHECK(polc::sema::constant_category("SIGKILL") == "signal");
  CHECK(polc::sema::constant_category("CLOCK_BOOTTIME") == "clock id");
}

TEST_CASE("unknown names are unknown") {
  CHECK_FALSE(polc::sema::constant_value("AF_NOPE", Arch::x86_64).has_value());
  CHECK_FALSE(polc::sema::constant_value("", Arch::x86_64).has_value());
  CHECK_FALSE(polc::sema::constant_value("af_inet", Arch::x86_64).has_value());
  CHECK(polc::sema::constant_category("AF_NOPE").empty());
  CHECK_FALSE(polc::sema::errno_value("ENOPE", Arch::x86_64).has_value());
  // errno names and constants live in different namespaces.
  CHECK_FALSE(polc::sema::constant_value("EPERM", Arch::x86_64).has_value());
  CHECK_FALSE(polc::sema::errno_value("AF_INET", Arch::x86_64).has_value());
}

TEST_CASE("errno names match this machine's errno.h") {
  CHECK_HOST_ERRNO(EPERM);
  CHECK_HOST_ERRNO(ENOENT);
  CHECK_HOST_ERRNO(EACCES);
  CHECK_HOST_ERRNO(EAGAIN);
  CHECK_HOST_ERRNO(EWOULDBLOCK);
  CHECK_HOST_ERRNO(EDEADLK);
  CHECK_HOST_ERRNO(EDEADLOCK);
  CHECK_HOST_ERRNO(ENOSYS);
  CHECK_HOST_ERRNO(EOPNOTSUPP);
  CHECK_HOST_ERRNO(ENOTSUP);
  CHECK_HOST_ERRNO(ENOTSOCK);
  CHECK_HOST_ERRNO(EAFNOSUPPORT);
  CHECK_HOST_ERRNO(ECONNREFUSED);
  CHECK_HOST_ERRNO(ENOTRECOVERABLE);
  CHECK_HOST_ERRNO(ERFKILL);
  CHECK_HOST_ERRNO(EHWPOISON);
  CHECK(polc::sema::errno_value("EHWPOISON", Arch::s390x) == 133);
  CHECK(polc::sema::errno_value("EPERM", Arch::arm) == 1);
  for (std::string_view name : polc::sema::all_errno_names()) {
    CAPTURE(name);
    for (Arch a : polc::arch::kAllArches) {
      const auto v = polc::sema::errno_value(name, a);
      REQUIRE(v.has_value());
      CHECK(*v >= 1);
      CHECK(*v <= 4095);
    }
  }
  CHECK(polc::sema::all_errno_names().size() >= 130);
}

TEST_CASE("name lists are sorted, unique and disjoint") {
  const auto& names = polc::sema::all_constant_names();
  const auto& errnos = polc::sema::all_errno_names();
  CHECK(names.size() > 500);
  CHECK(std::adjacent_find(names.begin(), names.end(), std::greater_equal<>()) == names.end());
  CHECK(std::adjacent_find(errnos.begin(), errnos.end(), std::greater_equal<>()) == errnos.end());
  CHECK(&names == &polc::sema::all_constant_names());
  for (std::string_view e : errnos) CHECK_FALSE(std::binary_search(names.begin(), names.end(), e));
  for (std::string_view n : names) {
    CAPTURE(n);
    CHECK_FALSE(polc::sema::constant_category(n).empty());
    bool somewhere = false;
    for (Arch a : polc::arch::kAllArches) somewhere = somewhere || polc::sema::constant_value(n, a).has_value();
    CHECK(somewhere);
  }
}

TEST_CASE("socket signature") {
  for (Arch a : polc::arch::kAllArches) {
    CAPTURE(polc::arch::name(a));
    const auto sig = polc::sema::syscall_signature("socket", a);
    REQUIRE(sig.has_value());
    REQUIRE(sig->size() == 3);
    CHECK((*sig)[0].name == "domain");
    CHECK((*sig)[1].name == "type");
    CHECK((*sig)[2].name == "protocol");
    for (const auto& arg : *sig) {
      CHECK(arg.type == ArgType::Int);
      CHECK(polc::sema::arg_bits(arg.type, a) == 32);
    }
  }
}

TEST_CASE("clone's flags are register 0, except on s390x where they are register 1") {
  for (Arch a : polc::arch::kAllArches) {
    CAPTURE(polc::arch::name(a));
    const auto sig = polc::sema::syscall_signature("clone", a);
    REQUIRE(sig.has_value());
    REQUIRE(sig->size() == 5);
    const size_t flags = a == Arch::s390x ? 1 : 0;
    CHECK((*sig)[flags].name == "flags");
    CHECK((*sig)[1 - flags].name == "stack");
    CHECK((*sig)[2].name == "parent_tid");
    // CLONE_BACKWARDS arches pass tls before child_tid.
    const bool backwards = a == Arch::x86 || a == Arch::arm || a == Arch::aarch64 || a == Arch::riscv64;
    CHECK((*sig)[backwards ? 3 : 4].name == "tls");
    CHECK((*sig)[backwards ? 4 : 3].name == "child_tid");
    // The kernel reads only the low 32 bits of clone's flags.
    CHECK(polc::sema::arg_bits((*sig)[flags].type, a) == 32);
  }
}

TEST_CASE("ioctl's request is 32 bits wide on every arch") {
  for (Arch a : polc::arch::kAllArches) {
    CAPTURE(polc::arch::name(a));
    const auto sig = polc::sema::syscall_signature("ioctl", a);
    REQUIRE(sig.has_value());
    REQUIRE(sig->size() == 3);
    CHECK((*sig)[0].name == "fd");
    CHECK((*sig)[0].type == ArgType::Fd);
    CHECK((*sig)[1].name == "request");
    CHECK((*sig)[1].type == ArgType::UInt);
    CHECK(polc::sema::arg_bits((*sig)[1].type, a) == 32);
  }
  CHECK(polc::sema::arg_bits(polc::sema::syscall_signature("ioctl", Arch::x86_64)->back().type, Arch::x86_64) == 64);
}

TEST_CASE("syscalls with split 64-bit arguments have no signature on 32-bit register arches") {
  for (std::string_view name : {"pread64", "pwrite64", "fallocate", "fadvise64", "fanotify_mark"}) {
    CAPTURE(name);
    CHECK_FALSE(polc::sema::syscall_signature(name, Arch::x86).has_value());
    CHECK_FALSE(polc::sema::syscall_signature(name, Arch::arm).has_value());
    CHECK(polc::sema::syscall_signature(name, Arch::x86_64).has_value());
    CHECK(polc::sema::syscall_signature(name, Arch::x32).has_value());
    CHECK(polc::sema::syscall_signature(name, Arch::aarch64).has_value());
  }
  const auto pread = polc::sema::syscall_signature("pread64", Arch::x86_64);
  REQUIRE(pread.has_value());
  REQUIRE(pread->size() == 4);
  CHECK((*pread)[3].name == "offset");
  CHECK(polc::sema::arg_bits((*pread)[3].type, Arch::x86_64) == 64);
}

TEST_CASE("mmap has a signature only where it takes its arguments in registers") {
  CHECK(polc::sema::syscall_signature("mmap", Arch::x86_64).has_value());
  CHECK(polc::sema::syscall_signature("mmap", Arch::aarch64).has_value());
  CHECK_FALSE(polc::sema::syscall_signature("mmap", Arch::x86).has_value());
  CHECK_FALSE(polc::sema::syscall_signature("mmap", Arch::s390x).has_value());
  CHECK(polc::sema::syscall_signature("mmap2", Arch::x86).has_value());
  const auto mmap = polc::sema::syscall_signature("mmap", Arch::x86_64);
  REQUIRE(mmap->size() == 6);
  CHECK((*mmap)[2].name == "prot");
  CHECK((*mmap)[2].type == ArgType::ULong);
  CHECK((*mmap)[4].type == ArgType::Fd);
}

TEST_CASE("selected signatures") {
  const auto openat = polc::sema::syscall_signature("openat", Arch::aarch64);
  REQUIRE(openat.has_value());
  REQUIRE(openat->size() == 4);
  CHECK((*openat)[0].name == "dirfd");
  CHECK((*openat)[2].name == "flags");
  CHECK((*openat)[2].type == ArgType::Int);

  const auto prctl = polc::sema::syscall_signature("prctl", Arch::x86_64);
  REQUIRE(prctl.has_value());
  REQUIRE(prctl->size() == 5);
  CHECK((*prctl)[0].name == "option");
  CHECK((*prctl)[1].type == ArgType::ULong);

  const auto personality = polc::sema::syscall_signature("personality", Arch::riscv64);
  REQUIRE(personality.has_value());
  CHECK((*personality)[0].type == ArgType::UInt);

  const auto ptrace = polc::sema::syscall_signature("ptrace", Arch::x86_64);
  REQUIRE(ptrace.has_value());
  CHECK((*ptrace)[0].type == ArgType::Long);
  CHECK((*ptrace)[1].type == ArgType::Int);

  // On x86 and arm the plain set*id calls take 16-bit ids; the 32-suffixed ones take 32-bit ids.
  const auto setuid16 = polc::sema::syscall_signature("setuid", Arch::x86);
  REQUIRE(setuid16.has_value());
  CHECK((*setuid16)[0].type == ArgType::UShort);
  CHECK(polc::sema::arg_bits(ArgType::UShort, Arch::x86) == 16);
  CHECK(polc::sema::syscall_signature("setuid32", Arch::x86).has_value());
  CHECK(polc::sema::syscall_signature("setuid", Arch::s390x).has_value());

  CHECK_FALSE(polc::sema::syscall_signature("no_such_syscall", Arch::x86_64).has_value());
  CHECK_FALSE(polc::sema::syscall_signature("", Arch::x86_64).has_value());
}

TEST_CASE("argument names are lower_snake_case and never index references") {
  for (std::string_view sc : {"socket", "clone", "ioctl", "prctl", "keyctl", "mmap", "openat", "futex", "ptrace",
                              "sendto", "perf_event_open", "process_vm_readv", "kcmp"}) {
    CAPTURE(sc);
    const auto sig = polc::sema::syscall_signature(sc, Arch::x86_64);
    REQUIRE(sig.has_value());
    std::set<std::string_view> seen;
    for (const auto& arg : *sig) {
      CAPTURE(arg.name);
      CHECK(seen.insert(arg.name).second);
      CHECK_FALSE(arg.name.empty());
      CHECK(std::all_of(arg.name.begin(), arg.name.end(),
                        [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }));
      CHECK_FALSE((arg.name.size() == 4 && arg.name.substr(0, 3) == "arg"));
    }
  }
}

TEST_CASE("argument widths and signedness") {
  using enum ArgType;
  for (Arch a : polc::arch::kAllArches) {
    CAPTURE(polc::arch::name(a));
    CHECK(polc::sema::arg_bits(Int, a) == 32);
    CHECK(polc::sema::arg_bits(UInt, a) == 32);
    CHECK(polc::sema::arg_bits(Fd, a) == 32);
    const unsigned wide = a == Arch::x86 || a == Arch::arm ? 32 : 64;
    CHECK(polc::sema::arg_bits(Long, a) == wide);
    CHECK(polc::sema::arg_bits(ULong, a) == wide);
    CHECK(polc::sema::arg_bits(Ptr, a) == wide);
  }
  CHECK(polc::sema::arg_signed(Int));
  CHECK(polc::sema::arg_signed(Long));
  CHECK(polc::sema::arg_signed(Fd));
  CHECK_FALSE(polc::sema::arg_signed(UInt));
  CHECK_FALSE(polc::sema::arg_signed(ULong));
  CHECK_FALSE(polc::sema::arg_signed(Ptr));
}
