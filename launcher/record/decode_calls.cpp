// Stage: launcher (learning). The syscall table of the recorder (decode_calls.h).
//
// Arguments kept (and so distinguished in the recording) are the ones policies filter on, as
// minijail's policy generator and polc's stdlib do; everything else is a pointer, a length or a
// descriptor, dropped so that calls differing only in them stay one event:
//   socket, socketpair: domain, type, protocol (0,1,2)    ioctl: request (1)
//   clone: flags (0; 1 on s390x, whose clone takes the stack first)   unshare: flags (0)
//   setns: nstype (1)    mmap, mmap2: prot, flags (2,3) (not x86's old mmap, which takes a struct)
//   mprotect, pkey_mprotect: prot (2)    prctl, arch_prctl: option (0)    personality: persona (0)
//   setuid/setgid/setfsuid/setfsgid (and *32): 0    setreuid/setregid (and *32): 0,1
//   setresuid/setresgid (and *32): 0,1,2    fcntl, fcntl64: cmd (1)    kill, tkill: signal (1)
//   tgkill: signal (2)    ptrace: request (0)    seccomp, bpf, keyctl, socketcall, ipc: operation (0)
#include "launcher/record/decode_calls.h"

#include <seccomp.h>

#include <cstdlib>
#include <string_view>

namespace polc::record {

namespace {

struct Entry {
  std::string_view name;
  uint8_t kept;
  Decoder decoder;
};

constexpr uint8_t a(unsigned i) { return static_cast<uint8_t>(1u << i); }

constexpr Entry kTable[] = {
    {"socket", a(0) | a(1) | a(2), Decoder::None},
    {"socketpair", a(0) | a(1) | a(2), Decoder::None},
    {"ioctl", a(1), Decoder::Ioctl},
    {"clone", a(0), Decoder::None},
    {"unshare", a(0), Decoder::None},
    {"setns", a(1), Decoder::None},
    {"mmap", a(2) | a(3), Decoder::None},
    {"mmap2", a(2) | a(3), Decoder::None},
    {"mprotect", a(2), Decoder::None},
    {"pkey_mprotect", a(2), Decoder::None},
    {"prctl", a(0), Decoder::None},
    {"arch_prctl", a(0), Decoder::None},
    {"personality", a(0), Decoder::None},
    {"setuid", a(0), Decoder::None},
    {"setgid", a(0), Decoder::None},
    {"setuid32", a(0), Decoder::None},
    {"setgid32", a(0), Decoder::None},
    {"setfsuid", a(0), Decoder::None},
    {"setfsgid", a(0), Decoder::None},
    {"setfsuid32", a(0), Decoder::None},
    {"setfsgid32", a(0), Decoder::None},
    {"setreuid", a(0) | a(1), Decoder::None},
    {"setregid", a(0) | a(1), Decoder::None},
    {"setreuid32", a(0) | a(1), Decoder::None},
    {"setregid32", a(0) | a(1), Decoder::None},
    {"setresuid", a(0) | a(1) | a(2), Decoder::None},
    {"setresgid", a(0) | a(1) | a(2), Decoder::None},
    {"setresuid32", a(0) | a(1) | a(2), Decoder::None},
    {"setresgid32", a(0) | a(1) | a(2), Decoder::None},
    {"fcntl", a(1), Decoder::None},
    {"fcntl64", a(1), Decoder::None},
    {"kill", a(1), Decoder::None},
    {"tkill", a(1), Decoder::None},
    {"tgkill", a(2), Decoder::None},
    {"ptrace", a(0), Decoder::None},
    {"seccomp", a(0), Decoder::None},
    {"bpf", a(0), Decoder::None},
    {"keyctl", a(0), Decoder::None},
    {"socketcall", a(0), Decoder::None},
    {"ipc", a(0), Decoder::None},
    // Files (decode_files.cpp).
    {"open", 0, Decoder::Open},
    {"openat", 0, Decoder::Openat},
    {"openat2", 0, Decoder::Openat2},
    {"creat", 0, Decoder::Creat},
    {"execve", 0, Decoder::Execve},
    {"execveat", 0, Decoder::Execveat},
    {"mkdir", 0, Decoder::Mkdir},
    {"mkdirat", 0, Decoder::Mkdirat},
    {"unlink", 0, Decoder::Unlink},
    {"unlinkat", 0, Decoder::Unlinkat},
    {"rmdir", 0, Decoder::Rmdir},
    {"rename", 0, Decoder::Rename},
    {"renameat", 0, Decoder::Renameat},
    {"renameat2", 0, Decoder::Renameat2},
    {"link", 0, Decoder::Link},
    {"linkat", 0, Decoder::Linkat},
    {"symlink", 0, Decoder::Symlink},
    {"symlinkat", 0, Decoder::Symlinkat},
    {"mknod", 0, Decoder::Mknod},
    {"mknodat", 0, Decoder::Mknodat},
    {"truncate", 0, Decoder::Truncate},
    {"truncate64", 0, Decoder::Truncate},
    {"ftruncate", 0, Decoder::Ftruncate},
    {"ftruncate64", 0, Decoder::Ftruncate},
    // Network (decode_net.cpp).
    {"connect", 0, Decoder::Connect},
    {"bind", 0, Decoder::Bind},
    {"sendto", 0, Decoder::Sendto},
    {"send", 0, Decoder::Send},
    {"sendmsg", 0, Decoder::Sendmsg},
    {"sendmmsg", 0, Decoder::Sendmmsg},
    {"write", 0, Decoder::Write},
};

SyscallInfo describe(arch::Arch arch, int32_t nr) {
  SyscallInfo info;
  if (char* name = seccomp_syscall_resolve_num_arch(arch::scmp_token(arch), nr)) {
    info.name = name;
    std::free(name);
  }
  for (const Entry& e : kTable)
    if (e.name == info.name) {
      info.kept = e.kept;
      info.decoder = e.decoder;
    }
  if (info.name == "clone" && arch == arch::Arch::s390x) info.kept = a(1);
  if (info.name == "mmap" && arch == arch::Arch::x86) info.kept = 0;
  return info;
}

}  // namespace

const SyscallInfo& SyscallTable::lookup(arch::Arch arch, int32_t nr) {
  const uint64_t key = (uint64_t{static_cast<uint8_t>(arch)} << 32) | static_cast<uint32_t>(nr);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  SyscallInfo info = describe(arch, nr);
  if (info.name.empty()) return unknown_;
  return cache_.emplace(key, std::move(info)).first->second;
}

learn::Call make_call(arch::Arch arch, const seccomp_data& data, const SyscallInfo& info) {
  learn::Call call;
  call.arch = arch;
  call.nr = data.nr;
  call.name = info.name;
  call.recorded = info.kept;
  for (unsigned i = 0; i < 6; ++i)
    if (info.kept & (1u << i)) call.args[i] = data.args[i];
  return call;
}

}  // namespace polc::record
