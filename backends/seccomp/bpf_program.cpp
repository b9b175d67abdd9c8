// Stage: backends/seccomp. The raw `struct sock_filter` encoding and the meaning of a filter's
// return value, kept apart from code generation so that tests and listings can read any program.
#include "backends/seccomp/bpf_program.h"

#include <algorithm>

namespace polc::backends::seccomp {

namespace {

constexpr size_t kInsnBytes = 8;

// The kernel clamps SECCOMP_RET_ERRNO data to MAX_ERRNO before returning -data to the caller.
constexpr uint16_t kMaxErrno = 4095;

void put16(uint8_t* out, uint16_t v, bool big_endian) {
  const auto hi = static_cast<uint8_t>(v >> 8);
  const auto lo = static_cast<uint8_t>(v & 0xff);
  out[0] = big_endian ? hi : lo;
  out[1] = big_endian ? lo : hi;
}

void put32(uint8_t* out, uint32_t v, bool big_endian) {
  for (unsigned i = 0; i < 4; ++i) {
    const unsigned shift = big_endian ? 8 * (3 - i) : 8 * i;
    out[i] = static_cast<uint8_t>((v >> shift) & 0xff);
  }
}

uint16_t get16(const uint8_t* in, bool big_endian) {
  const unsigned first = in[0];
  const unsigned second = in[1];
  return static_cast<uint16_t>(big_endian ? (first << 8) | second : (second << 8) | first);
}

uint32_t get32(const uint8_t* in, bool big_endian) {
  uint32_t v = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const unsigned shift = big_endian ? 8 * (3 - i) : 8 * i;
    v |= static_cast<uint32_t>(in[i]) << shift;
  }
  return v;
}

}  // namespace

std::vector<uint8_t> encode(std::span<const Insn> program, bool big_endian) {
  std::vector<uint8_t> out(program.size() * kInsnBytes);
  uint8_t* p = out.data();
  for (const Insn& insn : program) {
    put16(p, insn.code, big_endian);
    // jt and jf are single bytes: no byte order.
    p[2] = insn.jt;
    p[3] = insn.jf;
    put32(p + 4, insn.k, big_endian);
    p += kInsnBytes;
  }
  return out;
}

std::optional<std::vector<Insn>> decode(std::span<const uint8_t> bytes, bool big_endian, std::string* error) {
  if (bytes.size() % kInsnBytes != 0) {
    if (error)
      *error = "BPF program size " + std::to_string(bytes.size()) + " is not a multiple of " +
               std::to_string(kInsnBytes) + " bytes";
    return std::nullopt;
  }
  std::vector<Insn> program;
  program.reserve(bytes.size() / kInsnBytes);
  for (size_t off = 0; off < bytes.size(); off += kInsnBytes) {
    const uint8_t* p = bytes.data() + off;
    program.push_back(Insn{get16(p, big_endian), p[2], p[3], get32(p + 4, big_endian)});
  }
  return program;
}

uint32_t ret_value(const ir::Action& action) {
  switch (action.kind) {
    case ir::ActionKind::KillProcess: return kRetKillProcess;
    case ir::ActionKind::KillThread: return kRetKillThread;
    case ir::ActionKind::Trap: return kRetTrap;
    case ir::ActionKind::Errno: return kRetErrno | action.data;
    case ir::ActionKind::UserNotif: return kRetUserNotif;
    case ir::ActionKind::Trace: return kRetTrace | action.data;
    case ir::ActionKind::Log: return kRetLog;
    case ir::ActionKind::Allow: return kRetAllow;
  }
  // Unreachable for a valid enumerator; fail closed for a corrupted one.
  return kRetKillProcess;
}

ir::Action decode_ret(uint32_t ret) {
  const uint32_t action = ret & kRetActionMask;
  const auto data = static_cast<uint16_t>(ret & kRetDataMask);
  // Only errno and trace carry data in the IR; the kernel ignores the data of allow, log, and the
  // kill actions, and trap's data (si_errno) is not something polc emits.
  switch (action) {
    case kRetKillThread: return {ir::ActionKind::KillThread, 0};
    case kRetTrap: return {ir::ActionKind::Trap, 0};
    case kRetErrno: return {ir::ActionKind::Errno, std::min(data, kMaxErrno)};
    case kRetUserNotif: return {ir::ActionKind::UserNotif, 0};
    case kRetTrace: return {ir::ActionKind::Trace, data};
    case kRetLog: return {ir::ActionKind::Log, 0};
    case kRetAllow: return {ir::ActionKind::Allow, 0};
    default:
      // SECCOMP_RET_KILL_PROCESS itself, and every action the kernel does not know.
      return {ir::ActionKind::KillProcess, 0};
  }
}

std::string hex(uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), kDigits[v & 0xf]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

}  // namespace polc::backends::seccomp
