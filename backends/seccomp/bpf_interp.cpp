// Stage: backends/seccomp. The kernel's view of a seccomp filter, modelled on kernel/seccomp.c and
// net/core/filter.c: what it accepts, what a program returns, and what it may cache.
#include "backends/seccomp/bpf_interp.h"

#include <array>
#include <vector>

namespace polc::backends::seccomp {

namespace {

using namespace bpf;

constexpr uint16_t code(uint16_t a, uint16_t b, uint16_t c = 0) { return static_cast<uint16_t>(a | b | c); }

// Every opcode seccomp_check_filter accepts. It is a subset of the classic checker's table (which
// also has byte/half-word and indirect loads, MSH and MOD), so one list serves both checks.
bool seccomp_allows(uint16_t c) {
  switch (c) {
    case code(kLd, kW, kAbs):
    case code(kLd, kW, kLen):
    case code(kLdx, kW, kLen):
    case code(kRet, kK):
    case code(kRet, kA):
    case code(kAlu, kAdd, kK):
    case code(kAlu, kAdd, kX):
    case code(kAlu, kSub, kK):
    case code(kAlu, kSub, kX):
    case code(kAlu, kMul, kK):
    case code(kAlu, kMul, kX):
    case code(kAlu, kDiv, kK):
    case code(kAlu, kDiv, kX):
    case code(kAlu, kAnd, kK):
    case code(kAlu, kAnd, kX):
    case code(kAlu, kOr, kK):
    case code(kAlu, kOr, kX):
    case code(kAlu, kXor, kK):
    case code(kAlu, kXor, kX):
    case code(kAlu, kLsh, kK):
    case code(kAlu, kLsh, kX):
    case code(kAlu, kRsh, kK):
    case code(kAlu, kRsh, kX):
    case code(kAlu, kNeg):
    case code(kLd, kImm):
    case code(kLdx, kImm):
    case code(kMisc, kTax):
    case code(kMisc, kTxa):
    case code(kLd, kMem):
    case code(kLdx, kMem):
    case code(kSt, 0):
    case code(kStx, 0):
    case code(kJmp, kJa):
    case code(kJmp, kJeq, kK):
    case code(kJmp, kJeq, kX):
    case code(kJmp, kJge, kK):
    case code(kJmp, kJge, kX):
    case code(kJmp, kJgt, kK):
    case code(kJmp, kJgt, kX):
    case code(kJmp, kJset, kK):
    case code(kJmp, kJset, kX): return true;
    default: return false;
  }
}

bool is_conditional_jump(uint16_t c) { return op_class(c) == kJmp && op_op(c) != kJa; }

std::string at(size_t pc, const std::string& what) { return "instruction " + std::to_string(pc) + ": " + what; }

// check_load_and_stores: a scratch cell may be read only where every path to the read has written
// it. Jumps are forward only, so one pass in program order sees every predecessor first. Like the
// kernel, the fall-through state after a return is not reset (an over-approximation it makes too).
std::optional<std::string> check_scratch(std::span<const Insn> program) {
  std::vector<uint16_t> masks(program.size(), 0xffff);
  uint16_t valid = 0;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const Insn& insn = program[pc];
    valid &= masks[pc];
    const auto bit = static_cast<uint16_t>(1u << (insn.k & 0xf));
    switch (insn.code) {
      case code(kSt, 0):
      case code(kStx, 0): valid |= bit; break;
      case code(kLd, kMem):
      case code(kLdx, kMem):
        if (!(valid & bit)) return at(pc, "reads scratch cell M[" + std::to_string(insn.k) + "] before it is written");
        break;
      case code(kJmp, kJa):
        masks[pc + 1 + insn.k] &= valid;
        valid = 0xffff;
        break;
      default:
        if (is_conditional_jump(insn.code)) {
          masks[pc + 1 + insn.jt] &= valid;
          masks[pc + 1 + insn.jf] &= valid;
          valid = 0xffff;
        }
        break;
    }
  }
  return std::nullopt;
}

// The seccomp_data image the kernel hands the program: every field in the arch's byte order.
std::array<uint8_t, kSeccompDataSize> layout(const SeccompData& d, bool big_endian) {
  std::array<uint8_t, kSeccompDataSize> img{};
  auto put32 = [&](uint32_t off, uint32_t v) {
    for (uint32_t i = 0; i < 4; ++i) {
      const uint32_t shift = big_endian ? 8 * (3 - i) : 8 * i;
      img[off + i] = static_cast<uint8_t>((v >> shift) & 0xff);
    }
  };
  auto put64 = [&](uint32_t off, uint64_t v) {
    put32(half_offset(off, true, big_endian), static_cast<uint32_t>(v >> 32));
    put32(half_offset(off, false, big_endian), static_cast<uint32_t>(v));
  };
  put32(kOffsetNr, static_cast<uint32_t>(d.nr));
  put32(kOffsetArch, d.arch);
  put64(kOffsetIp, d.ip);
  for (uint32_t i = 0; i < d.args.size(); ++i) put64(kOffsetArgs + 8 * i, d.args[i]);
  return img;
}

uint32_t load32(const std::array<uint8_t, kSeccompDataSize>& img, uint32_t off, bool big_endian) {
  uint32_t v = 0;
  for (uint32_t i = 0; i < 4; ++i) {
    const uint32_t shift = big_endian ? 8 * (3 - i) : 8 * i;
    v |= static_cast<uint32_t>(img[off + i]) << shift;
  }
  return v;
}

}  // namespace

bool seccomp_allows_opcode(uint16_t c) { return seccomp_allows(c); }

std::optional<std::string> validate(std::span<const Insn> program) {
  if (program.empty()) return "empty program (the kernel needs 1 to " + std::to_string(kMaxInsns) + " instructions)";
  if (program.size() > kMaxInsns)
    return "program has " + std::to_string(program.size()) + " instructions, more than the kernel's limit of " +
           std::to_string(kMaxInsns);
  const size_t len = program.size();
  for (size_t pc = 0; pc < len; ++pc) {
    const Insn& insn = program[pc];
    if (!seccomp_allows(insn.code)) return at(pc, "opcode " + hex(insn.code) + " is not allowed in a seccomp filter");
    switch (insn.code) {
      case code(kLd, kW, kAbs):
        if (insn.k >= kSeccompDataSize || insn.k % 4 != 0)
          return at(pc, "load at offset " + std::to_string(insn.k) + " is not an aligned word of seccomp_data");
        break;
      case code(kAlu, kDiv, kK):
        if (insn.k == 0) return at(pc, "division by the constant 0");
        break;
      case code(kAlu, kLsh, kK):
      case code(kAlu, kRsh, kK):
        if (insn.k >= 32) return at(pc, "shift by the constant " + std::to_string(insn.k) + " (at most 31)");
        break;
      case code(kLd, kMem):
      case code(kLdx, kMem):
      case code(kSt, 0):
      case code(kStx, 0):
        if (insn.k >= kMemWords) return at(pc, "scratch cell M[" + std::to_string(insn.k) + "] does not exist");
        break;
      case code(kJmp, kJa):
        // Compared as the kernel does, without forming pc + 1 + k (k is 32 bits).
        if (insn.k >= len - pc - 1) return at(pc, "jump offset " + std::to_string(insn.k) + " leaves the program");
        break;
      default:
        if (is_conditional_jump(insn.code) && (pc + insn.jt + 1 >= len || pc + insn.jf + 1 >= len))
          return at(pc, "jump target leaves the program");
        break;
    }
  }
  const uint16_t last = program.back().code;
  if (last != code(kRet, kK) && last != code(kRet, kA)) return at(len - 1, "the last instruction is not a return");
  return check_scratch(program);
}

RunResult run(std::span<const Insn> program, const SeccompData& data, bool big_endian) {
  const auto img = layout(data, big_endian);
  uint32_t a = 0;
  uint32_t x = 0;
  std::array<uint32_t, kMemWords> mem{};
  RunResult r;
  auto fault = [&](const char* why) {
    r.ret = kRetKillProcess;
    r.fault = why;
    return r;
  };
  // Jumps only go forward, so a program of n instructions executes at most n of them; the bound
  // is a second guard against a bug here.
  size_t pc = 0;
  while (true) {
    if (pc >= program.size()) return fault("ran past the end of the program");
    if (r.executed >= program.size()) return fault("executed more instructions than the program has");
    const Insn& insn = program[pc];
    ++r.executed;
    ++pc;
    // MOD is classic BPF that seccomp refuses; it is run anyway so that the interpreter covers the
    // whole classic ALU. Anything else outside seccomp's list is a bug in the program.
    if (!seccomp_allows(insn.code) && insn.code != code(kAlu, kMod, kK) && insn.code != code(kAlu, kMod, kX))
      return fault("opcode seccomp does not allow");
    const uint32_t src = op_src(insn.code) == kX ? x : insn.k;
    switch (op_class(insn.code)) {
      case kLd:
      case kLdx: {
        uint32_t v = 0;
        const uint16_t mode = op_mode(insn.code);
        if (mode == kImm && op_size(insn.code) == kW) {
          v = insn.k;
        } else if (mode == kMem && op_size(insn.code) == kW) {
          if (insn.k >= kMemWords) return fault("scratch cell out of range");
          v = mem[insn.k];
        } else if (mode == kLen && op_size(insn.code) == kW) {
          // seccomp rewrites LEN loads into the size of seccomp_data.
          v = kSeccompDataSize;
        } else if (mode == kAbs && op_size(insn.code) == kW && op_class(insn.code) == kLd) {
          if (insn.k >= kSeccompDataSize || insn.k % 4 != 0) return fault("load outside seccomp_data or unaligned");
          v = load32(img, insn.k, big_endian);
        } else {
          return fault("load mode seccomp does not allow");
        }
        (op_class(insn.code) == kLd ? a : x) = v;
        break;
      }
      case kSt:
      case kStx:
        if (insn.code != kSt && insn.code != kStx) return fault("malformed store");
        if (insn.k >= kMemWords) return fault("scratch cell out of range");
        mem[insn.k] = op_class(insn.code) == kSt ? a : x;
        break;
      case kAlu:
        switch (op_op(insn.code)) {
          case kAdd: a += src; break;
          case kSub: a -= src; break;
          case kMul: a *= src; break;
          case kDiv:
          case kMod:
            if (src == 0) {
              // The kernel's conversion of a classic program makes a division by X == 0 end the
              // program with 0 (kill_thread); the checker refuses a constant divisor of 0.
              if (op_src(insn.code) == kK) return fault("division by the constant 0");
              r.ret = 0;
              return r;
            }
            a = op_op(insn.code) == kDiv ? a / src : a % src;
            break;
          case kAnd: a &= src; break;
          case kOr: a |= src; break;
          case kXor: a ^= src; break;
          case kLsh:
          case kRsh: {
            // A constant shift must be below 32 (the checker refuses others). A shift by X is done
            // by a 32-bit eBPF shift: the interpreter masks the amount with 31, and the JITs of
            // x86, arm64 and riscv use hardware shifts that do the same.
            if (op_src(insn.code) == kK && src >= 32) return fault("shift by a constant of 32 or more");
            const uint32_t n = src & 31;
            a = op_op(insn.code) == kLsh ? a << n : a >> n;
            break;
          }
          case kNeg: a = 0u - a; break;
          default: return fault("unknown ALU operation");
        }
        break;
      case kJmp: {
        size_t target = 0;
        if (op_op(insn.code) == kJa) {
          target = pc + static_cast<size_t>(insn.k);
        } else {
          bool taken = false;
          switch (op_op(insn.code)) {
            case kJeq: taken = a == src; break;
            case kJgt: taken = a > src; break;
            case kJge: taken = a >= src; break;
            case kJset: taken = (a & src) != 0; break;
            default: return fault("unknown jump");
          }
          target = pc + (taken ? insn.jt : insn.jf);
        }
        if (target >= program.size()) return fault("jump past the end of the program");
        pc = target;
        break;
      }
      case kRet:
        if (insn.code == code(kRet, kK)) r.ret = insn.k;
        else if (insn.code == code(kRet, kA)) r.ret = a;
        else return fault("malformed return");
        return r;
      case kMisc:
        if (insn.code == code(kMisc, kTax)) x = a;
        else if (insn.code == code(kMisc, kTxa)) a = x;
        else return fault("unknown MISC operation");
        break;
      default: return fault("unknown instruction class");
    }
  }
}

CacheVerdict const_action(std::span<const Insn> program, uint32_t audit_arch, int32_t nr,
                          [[maybe_unused]] bool big_endian) {
  // The kernel's walk in kernel/seccomp.c, instruction for instruction: it knows only nr and arch
  // (both 32-bit fields, so the byte order plays no part) and gives up on anything else. The
  // register starts at 0, as the kernel's does.
  uint32_t reg = 0;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const Insn& insn = program[pc];
    switch (insn.code) {
      case code(kLd, kW, kAbs):
        if (insn.k == kOffsetNr) reg = static_cast<uint32_t>(nr);
        else if (insn.k == kOffsetArch) reg = audit_arch;
        else return CacheVerdict::Depends;
        break;
      case code(kRet, kK): return insn.k == kRetAllow ? CacheVerdict::AlwaysAllow : CacheVerdict::NotAllow;
      case code(kJmp, kJa): pc += insn.k; break;
      case code(kJmp, kJeq, kK): pc += reg == insn.k ? insn.jt : insn.jf; break;
      case code(kJmp, kJge, kK): pc += reg >= insn.k ? insn.jt : insn.jf; break;
      case code(kJmp, kJgt, kK): pc += reg > insn.k ? insn.jt : insn.jf; break;
      case code(kJmp, kJset, kK): pc += (reg & insn.k) != 0 ? insn.jt : insn.jf; break;
      case code(kAlu, kAnd, kK): reg &= insn.k; break;
      default: return CacheVerdict::Depends;
    }
  }
  // Ran off the end: the kernel warns and does not cache; only an invalid program gets here.
  return CacheVerdict::Depends;
}

}  // namespace polc::backends::seccomp
