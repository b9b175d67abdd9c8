// Stage: backends/seccomp. Classic BPF programs as the kernel's seccomp filter reads them: the
// instruction type, the raw file encoding (`struct sock_filter` arrays, the format bubblewrap's
// `--seccomp FD` reads) and the decoding of a filter's return value into an IR action.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compiler/ir/vocab.h"

namespace polc::backends::seccomp {

// One `struct sock_filter`, in host byte order.
struct Insn {
  uint16_t code = 0;
  uint8_t jt = 0;
  uint8_t jf = 0;
  uint32_t k = 0;
  friend bool operator==(const Insn&, const Insn&) = default;
};

// Classic BPF opcode fields (linux/bpf_common.h, linux/filter.h), as constants so that the backend
// and its tests need neither the kernel headers nor their macros.
namespace bpf {
// Instruction classes.
inline constexpr uint16_t kLd = 0x00;
inline constexpr uint16_t kLdx = 0x01;
inline constexpr uint16_t kSt = 0x02;
inline constexpr uint16_t kStx = 0x03;
inline constexpr uint16_t kAlu = 0x04;
inline constexpr uint16_t kJmp = 0x05;
inline constexpr uint16_t kRet = 0x06;
inline constexpr uint16_t kMisc = 0x07;
// Load sizes and modes.
inline constexpr uint16_t kW = 0x00;
inline constexpr uint16_t kH = 0x08;
inline constexpr uint16_t kB = 0x10;
inline constexpr uint16_t kImm = 0x00;
inline constexpr uint16_t kAbs = 0x20;
inline constexpr uint16_t kInd = 0x40;
inline constexpr uint16_t kMem = 0x60;
inline constexpr uint16_t kLen = 0x80;
inline constexpr uint16_t kMsh = 0xa0;
// ALU operations.
inline constexpr uint16_t kAdd = 0x00;
inline constexpr uint16_t kSub = 0x10;
inline constexpr uint16_t kMul = 0x20;
inline constexpr uint16_t kDiv = 0x30;
inline constexpr uint16_t kOr = 0x40;
inline constexpr uint16_t kAnd = 0x50;
inline constexpr uint16_t kLsh = 0x60;
inline constexpr uint16_t kRsh = 0x70;
inline constexpr uint16_t kNeg = 0x80;
inline constexpr uint16_t kMod = 0x90;
inline constexpr uint16_t kXor = 0xa0;
// Jump operations.
inline constexpr uint16_t kJa = 0x00;
inline constexpr uint16_t kJeq = 0x10;
inline constexpr uint16_t kJgt = 0x20;
inline constexpr uint16_t kJge = 0x30;
inline constexpr uint16_t kJset = 0x40;
// Operand source: the constant k, or the X register; for RET, the A register.
inline constexpr uint16_t kK = 0x00;
inline constexpr uint16_t kX = 0x08;
inline constexpr uint16_t kA = 0x10;
// MISC operations.
inline constexpr uint16_t kTax = 0x00;
inline constexpr uint16_t kTxa = 0x80;

constexpr uint16_t op_class(uint16_t code) { return code & 0x07; }
constexpr uint16_t op_size(uint16_t code) { return code & 0x18; }
constexpr uint16_t op_mode(uint16_t code) { return code & 0xe0; }
constexpr uint16_t op_op(uint16_t code) { return code & 0xf0; }
constexpr uint16_t op_src(uint16_t code) { return code & 0x08; }

// BPF_STMT and BPF_JUMP.
constexpr Insn stmt(uint16_t code, uint32_t k) { return Insn{code, 0, 0, k}; }
constexpr Insn jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return Insn{code, jt, jf, k}; }

inline constexpr uint32_t kMaxInsns = 4096;  // BPF_MAXINSNS
inline constexpr uint32_t kMemWords = 16;    // BPF_MEMWORDS: scratch cells M[0..15]
}  // namespace bpf

// The input of a seccomp filter (`struct seccomp_data`), before it is laid out in memory.
struct SeccompData {
  int32_t nr = 0;
  uint32_t arch = 0;  // AUDIT_ARCH_*
  uint64_t ip = 0;
  std::array<uint64_t, 6> args{};
};
inline constexpr uint32_t kSeccompDataSize = 64;
inline constexpr uint32_t kOffsetNr = 0;
inline constexpr uint32_t kOffsetArch = 4;
inline constexpr uint32_t kOffsetIp = 8;
inline constexpr uint32_t kOffsetArgs = 16;

// Offset of one 32-bit half of a 64-bit seccomp_data field: the kernel stores the u64 natively, so
// on a big-endian arch the high half comes first. `field_offset` is kOffsetIp or an argument's.
constexpr uint32_t half_offset(uint32_t field_offset, bool high, bool big_endian) {
  return field_offset + (high != big_endian ? 4u : 0u);
}
constexpr uint32_t arg_offset(unsigned arg, bool high, bool big_endian) {
  return half_offset(kOffsetArgs + 8u * arg, high, big_endian);
}

// The raw file: 8 bytes per instruction; code and k in the target arch's byte order (libseccomp
// writes them so, and the kernel reads them natively on that arch).
std::vector<uint8_t> encode(std::span<const Insn> program, bool big_endian);
// nullopt (with `error` set) when the size is not a multiple of 8.
std::optional<std::vector<Insn>> decode(std::span<const uint8_t> bytes, bool big_endian, std::string* error);

// A 32-bit value as lowercase hex with a 0x prefix ("0x5412"), for messages and listings.
std::string hex(uint32_t v);

// SECCOMP_RET_* values and their decoding.
inline constexpr uint32_t kRetKillProcess = 0x80000000u;
inline constexpr uint32_t kRetKillThread = 0x00000000u;
inline constexpr uint32_t kRetTrap = 0x00030000u;
inline constexpr uint32_t kRetErrno = 0x00050000u;
inline constexpr uint32_t kRetUserNotif = 0x7fc00000u;
inline constexpr uint32_t kRetTrace = 0x7ff00000u;
inline constexpr uint32_t kRetLog = 0x7ffc0000u;
inline constexpr uint32_t kRetAllow = 0x7fff0000u;
inline constexpr uint32_t kRetActionMask = 0xffff0000u;
inline constexpr uint32_t kRetDataMask = 0x0000ffffu;

// The filter return value for an IR action (the errno/trace data in the low 16 bits).
uint32_t ret_value(const ir::Action& action);
// What the kernel does with a filter's return value: an unknown action is kill_process (as since
// Linux 4.14); errno data above 4095 is clamped to 4095 by the kernel.
ir::Action decode_ret(uint32_t ret);

}  // namespace polc::backends::seccomp
