// Stage: sema. Per-arch syscall resolution through libseccomp.
#include "compiler/sema/syscall_table.h"

#include <seccomp.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <vector>

#include "compiler/sema/suggest.h"

namespace polc::sema {

namespace {

// Every syscall name of every supported arch, collected once by walking the number space that
// libseccomp knows (x32 numbers start at bit 30, arm's private calls at 0x0f0000).
// Where an arch's syscall numbers start: x32's carry bit 30, ARM has a private range.
std::vector<int> number_bases(arch::Arch a) {
  if (a == arch::Arch::x32) return {0x40000000};
  if (a == arch::Arch::arm) return {0, 0x0f0000};
  return {0};
}

const std::vector<std::string>& all_names() {
  static const std::vector<std::string> names = [] {
    std::set<std::string> set;
    for (arch::Arch a : arch::kAllArches) {
      for (int base : number_bases(a)) {
        for (int nr = base; nr < base + 1100; ++nr) {
          char* n = seccomp_syscall_resolve_num_arch(arch::scmp_token(a), nr);
          if (n != nullptr) {
            set.insert(n);
            std::free(n);  // NOLINT: libseccomp hands out malloc'd strings
          }
        }
      }
    }
    return std::vector<std::string>(set.begin(), set.end());
  }();
  return names;
}

// x86 and s390x multiplex the socket calls through socketcall(2) and SysV IPC through ipc(2),
// whose arguments sit in memory where seccomp cannot inspect them. Linux 4.3 added direct socket
// syscalls on both, and Linux 5.1 direct SysV IPC syscalls; libseccomp 2.5 still reports them only
// as pseudo-syscalls. These are the kernel's numbers (arch/x86/entry/syscalls/syscall_32.tbl and
// arch/s390/kernel/syscalls/syscall.tbl), so rules can filter the direct calls by argument; the
// multiplexers stay separate syscalls that a policy allows or denies as a whole.
struct DirectSyscall {
  arch::Arch arch;
  std::string_view name;
  int nr;
};
constexpr DirectSyscall kDirectSyscalls[] = {
    {arch::Arch::x86, "recvmmsg", 337},      {arch::Arch::x86, "sendmmsg", 345},
    {arch::Arch::x86, "socket", 359},        {arch::Arch::x86, "socketpair", 360},
    {arch::Arch::x86, "bind", 361},          {arch::Arch::x86, "connect", 362},
    {arch::Arch::x86, "listen", 363},        {arch::Arch::x86, "accept4", 364},
    {arch::Arch::x86, "getsockopt", 365},    {arch::Arch::x86, "setsockopt", 366},
    {arch::Arch::x86, "getsockname", 367},   {arch::Arch::x86, "getpeername", 368},
    {arch::Arch::x86, "sendto", 369},        {arch::Arch::x86, "sendmsg", 370},
    {arch::Arch::x86, "recvfrom", 371},      {arch::Arch::x86, "recvmsg", 372},
    {arch::Arch::x86, "shutdown", 373},      {arch::Arch::x86, "semget", 393},
    {arch::Arch::x86, "semctl", 394},        {arch::Arch::x86, "shmget", 395},
    {arch::Arch::x86, "shmctl", 396},        {arch::Arch::x86, "shmat", 397},
    {arch::Arch::x86, "shmdt", 398},         {arch::Arch::x86, "msgget", 399},
    {arch::Arch::x86, "msgsnd", 400},        {arch::Arch::x86, "msgrcv", 401},
    {arch::Arch::x86, "msgctl", 402},        {arch::Arch::s390x, "recvmmsg", 357},
    {arch::Arch::s390x, "sendmmsg", 358},    {arch::Arch::s390x, "socket", 359},
    {arch::Arch::s390x, "socketpair", 360},  {arch::Arch::s390x, "bind", 361},
    {arch::Arch::s390x, "connect", 362},     {arch::Arch::s390x, "listen", 363},
    {arch::Arch::s390x, "accept4", 364},     {arch::Arch::s390x, "getsockopt", 365},
    {arch::Arch::s390x, "setsockopt", 366},  {arch::Arch::s390x, "getsockname", 367},
    {arch::Arch::s390x, "getpeername", 368}, {arch::Arch::s390x, "sendto", 369},
    {arch::Arch::s390x, "sendmsg", 370},     {arch::Arch::s390x, "recvfrom", 371},
    {arch::Arch::s390x, "recvmsg", 372},     {arch::Arch::s390x, "shutdown", 373},
    {arch::Arch::s390x, "semtimedop", 392},  {arch::Arch::s390x, "semget", 393},
    {arch::Arch::s390x, "semctl", 394},      {arch::Arch::s390x, "shmget", 395},
    {arch::Arch::s390x, "shmctl", 396},      {arch::Arch::s390x, "shmat", 397},
    {arch::Arch::s390x, "shmdt", 398},       {arch::Arch::s390x, "msgget", 399},
    {arch::Arch::s390x, "msgsnd", 400},      {arch::Arch::s390x, "msgrcv", 401},
    {arch::Arch::s390x, "msgctl", 402},
};

}  // namespace

std::optional<int> syscall_number(std::string_view name, arch::Arch a) {
  const std::string n(name);
  const int nr = seccomp_syscall_resolve_name_arch(arch::scmp_token(a), n.c_str());
  if (nr >= 0) return nr;
  // Negative values are libseccomp's error or its pseudo-numbers for syscalls the arch lacks or
  // multiplexes; the direct calls the kernel added since are in kDirectSyscalls.
  for (const DirectSyscall& d : kDirectSyscalls)
    if (d.arch == a && d.name == name) return d.nr;
  return std::nullopt;
}

bool is_known_syscall(std::string_view name) {
  // A direct lookup per arch is far cheaper than building the full name list, which is only
  // needed for suggestions after an error.
  for (arch::Arch a : arch::kAllArches)
    if (syscall_number(name, a)) return true;
  return false;
}

std::string closest_syscall(std::string_view name) {
  const auto& names = all_names();
  return closest_match(name, std::vector<std::string_view>(names.begin(), names.end()));
}

std::vector<std::pair<int64_t, std::string>> syscall_names(arch::Arch a) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (int base : number_bases(a)) {
    for (int nr = base; nr < base + 1100; ++nr) {
      char* n = seccomp_syscall_resolve_num_arch(arch::scmp_token(a), nr);
      if (n == nullptr) continue;
      out.emplace_back(nr, n);
      std::free(n);  // NOLINT: libseccomp hands out malloc'd strings
    }
  }
  for (const DirectSyscall& d : kDirectSyscalls)
    if (d.arch == a && std::none_of(out.begin(), out.end(), [&](const auto& p) { return p.first == d.nr; }))
      out.emplace_back(d.nr, std::string(d.name));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace polc::sema
