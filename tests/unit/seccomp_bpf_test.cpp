// Unit tests of the seccomp backend's BPF layer: the file encoding, return values, the kernel model
// (checker, interpreter, action-cache emulation), listings, and agreement with libseccomp's output.
#include <doctest/doctest.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "backends/seccomp/bpf_interp.h"
#include "backends/seccomp/bpf_listing.h"
#include "backends/seccomp/bpf_program.h"

using namespace polc::backends::seccomp;
using namespace polc::backends::seccomp::bpf;
using polc::ir::Action;
using polc::ir::ActionKind;

namespace {

using Prog = std::vector<Insn>;

constexpr uint32_t kAuditX86_64 = 0xc000003e;
constexpr uint32_t kAuditI386 = 0x40000003;
constexpr uint32_t kAuditS390x = 0x80000016;

constexpr uint16_t kLdAbs = kLd | kW | kAbs;
constexpr uint16_t kJeqK = kJmp | kJeq | kK;
constexpr uint16_t kRetK = kRet | kK;

Insn ld_abs(uint32_t off) { return stmt(kLdAbs, off); }
Insn ret(uint32_t k) { return stmt(kRetK, k); }
Insn alu(uint16_t op, uint32_t k) { return stmt(static_cast<uint16_t>(kAlu | op | kK), k); }
Insn alu_x(uint16_t op) { return stmt(static_cast<uint16_t>(kAlu | op | kX), 0); }

SeccompData call(uint32_t arch, int32_t nr, std::array<uint64_t, 6> args = {}) {
  SeccompData d;
  d.arch = arch;
  d.nr = nr;
  d.args = args;
  return d;
}

// A plain allow-list: read, write and exit on x86_64, errno(EPERM) for the rest, kill for other arches.
std::vector<Insn> allow_list() {
  return {
      ld_abs(kOffsetArch),              // 0
      jump(kJeqK, kAuditX86_64, 1, 0),  // 1: -> 3, 2
      ret(kRetKillProcess),             // 2
      ld_abs(kOffsetNr),                // 3
      jump(kJeqK, 0, 3, 0),             // 4: read -> 8, 5
      jump(kJeqK, 1, 2, 0),             // 5: write -> 8, 6
      jump(kJeqK, 60, 1, 0),            // 6: exit -> 8, 7
      ret(kRetErrno | 1),               // 7
      ret(kRetAllow),                   // 8
  };
}

// nr 16 (ioctl) is allowed only when args[1] == 0x1'0000'5401, a 64-bit compare done word by word.
std::vector<Insn> arg_compare(bool big_endian) {
  return {
      ld_abs(kOffsetNr),                         // 0
      jump(kJeqK, 0, 7, 0),                      // 1: read -> 9 (allow)
      jump(kJeqK, 16, 0, 5),                     // 2: ioctl -> 3, else 8
      ld_abs(arg_offset(1, true, big_endian)),   // 3
      jump(kJeqK, 1, 0, 3),                      // 4: -> 5, 8
      ld_abs(arg_offset(1, false, big_endian)),  // 5
      jump(kJeqK, 0x5401, 2, 1),                 // 6: -> 9, 8
      ret(kRetKillProcess),                      // 7 (unreachable)
      ret(kRetErrno | 22),                       // 8
      ret(kRetAllow),                            // 9
  };
}

uint32_t run_ret(const std::vector<Insn>& p, const SeccompData& d = {}, bool big_endian = false) {
  REQUIRE(!validate(p));
  const RunResult r = run(p, d, big_endian);
  REQUIRE(r.fault == nullptr);
  return r.ret;
}

bool rejected_at(const std::vector<Insn>& p, size_t index) {
  const auto err = validate(p);
  if (!err) return false;
  INFO(*err);
  return err->find("instruction " + std::to_string(index) + ":") != std::string::npos;
}

}  // namespace

TEST_CASE("encode and decode round-trip in both byte orders with the kernel's layout") {
  const std::vector<Insn> p = {ld_abs(kOffsetArch), jump(kJeqK, kAuditX86_64, 1, 0), ret(kRetKillProcess),
                               ret(kRetAllow)};
  const auto le = encode(p, false);
  const auto be = encode(p, true);
  REQUIRE(le.size() == 32);
  REQUIRE(be.size() == 32);
  const std::vector<uint8_t> le_jeq = {0x15, 0x00, 0x01, 0x00, 0x3e, 0x00, 0x00, 0xc0};
  const std::vector<uint8_t> be_jeq = {0x00, 0x15, 0x01, 0x00, 0xc0, 0x00, 0x00, 0x3e};
  CHECK(std::vector<uint8_t>(le.begin() + 8, le.begin() + 16) == le_jeq);
  CHECK(std::vector<uint8_t>(be.begin() + 8, be.begin() + 16) == be_jeq);
  const std::vector<uint8_t> le_ld = {0x20, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00};
  CHECK(std::vector<uint8_t>(le.begin(), le.begin() + 8) == le_ld);

  std::string error;
  auto back_le = decode(le, false, &error);
  auto back_be = decode(be, true, &error);
  REQUIRE(back_le);
  REQUIRE(back_be);
  CHECK(*back_le == p);
  CHECK(*back_be == p);
  // Reading in the wrong order swaps code and k.
  auto wrong = decode(be, false, &error);
  REQUIRE(wrong);
  CHECK((*wrong)[1].code == 0x1500);
  CHECK((*wrong)[1].k == 0x3e0000c0);

  auto empty = decode({}, false, &error);
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("decode rejects a size that is not a multiple of 8") {
  const std::vector<uint8_t> bytes(15, 0);
  std::string error;
  CHECK(!decode(bytes, false, &error));
  CHECK(error.find("15") != std::string::npos);
  CHECK(!decode(bytes, true, nullptr));
}

TEST_CASE("ret_value and decode_ret agree for every action") {
  const std::vector<std::pair<Action, uint32_t>> cases = {
      {{ActionKind::KillProcess, 0}, 0x80000000u}, {{ActionKind::KillThread, 0}, 0x00000000u},
      {{ActionKind::Trap, 0}, 0x00030000u},        {{ActionKind::Errno, 13}, 0x0005000du},
      {{ActionKind::UserNotif, 0}, 0x7fc00000u},   {{ActionKind::Trace, 7}, 0x7ff00007u},
      {{ActionKind::Log, 0}, 0x7ffc0000u},         {{ActionKind::Allow, 0}, 0x7fff0000u},
  };
  for (const auto& c : cases) {
    CAPTURE(c.second);
    CHECK(ret_value(c.first) == c.second);
    CHECK(decode_ret(c.second) == c.first);
  }
  CHECK(ret_value({ActionKind::Errno, 0}) == kRetErrno);
  CHECK(decode_ret(kRetErrno) == Action{ActionKind::Errno, 0});
  CHECK(decode_ret(kRetErrno | 4095) == Action{ActionKind::Errno, 4095});
}

TEST_CASE("decode_ret follows the kernel: errno clamped, unknown actions kill the process") {
  CHECK(decode_ret(kRetErrno | 4096) == Action{ActionKind::Errno, 4095});
  CHECK(decode_ret(kRetErrno | 0xffff) == Action{ActionKind::Errno, 4095});
  CHECK(decode_ret(0x00010000) == Action{ActionKind::KillProcess, 0});
  CHECK(decode_ret(0x7ffe0000) == Action{ActionKind::KillProcess, 0});
  CHECK(decode_ret(0xffff0000) == Action{ActionKind::KillProcess, 0});
  CHECK(decode_ret(kRetKillProcess | 5) == Action{ActionKind::KillProcess, 0});
  // The data of actions that carry none in the IR is ignored.
  CHECK(decode_ret(kRetKillThread | 9) == Action{ActionKind::KillThread, 0});
  CHECK(decode_ret(kRetAllow | 1) == Action{ActionKind::Allow, 0});
  CHECK(decode_ret(kRetTrap | 3) == Action{ActionKind::Trap, 0});
  CHECK(decode_ret(kRetTrace | 0xffff) == Action{ActionKind::Trace, 0xffff});
}

TEST_CASE("validate accepts well-formed filters") {
  CHECK(!validate(allow_list()));
  CHECK(!validate(arg_compare(false)));
  CHECK(!validate(std::vector<Insn>(kMaxInsns, ret(kRetAllow))));
  // Every instruction seccomp allows, once.
  const std::vector<Insn> all = {
      stmt(kLd | kW | kLen, 0),
      stmt(kLdx | kW | kLen, 0),
      stmt(kLd | kImm, 1),
      stmt(kLdx | kImm, 2),
      stmt(kSt, 0),
      stmt(kStx, 15),
      stmt(kLd | kMem, 0),
      stmt(kLdx | kMem, 15),
      alu(kAdd, 1),
      alu_x(kSub),
      alu(kMul, 3),
      alu(kDiv, 2),
      alu_x(kDiv),
      alu(kAnd, 0xff),
      alu_x(kOr),
      alu(kXor, 1),
      alu(kLsh, 31),
      alu_x(kRsh),
      stmt(kAlu | kNeg, 0),
      stmt(kMisc | kTax, 0),
      stmt(kMisc | kTxa, 0),
      ld_abs(60),
      stmt(kJmp | kJa, 0),
      jump(kJmp | kJgt | kX, 0, 0, 0),
      jump(kJmp | kJge | kK, 1, 0, 0),
      jump(kJmp | kJset | kK, 1, 0, 0),
      jump(kJmp | kJset | kX, 0, 0, 0),
      jump(kJmp | kJeq | kX, 0, 1, 0),
      ret(kRetAllow),
      stmt(kRet | kA, 0),
  };
  CHECK(!validate(all));
}

TEST_CASE("validate rejects what the kernel rejects, naming the instruction") {
  CHECK(validate(Prog{}));
  CHECK(validate(std::vector<Insn>(kMaxInsns + 1, ret(kRetAllow))));

  // Jumps out of the program.
  CHECK(rejected_at({ld_abs(0), jump(kJeqK, 1, 1, 0), ret(kRetAllow)}, 1));
  CHECK(rejected_at({ld_abs(0), jump(kJeqK, 1, 0, 1), ret(kRetAllow)}, 1));
  CHECK(rejected_at({stmt(kJmp | kJa, 1), ret(kRetAllow)}, 0));
  CHECK(rejected_at({stmt(kJmp | kJa, 0xffffffff), ret(kRetAllow)}, 0));
  CHECK(!validate(Prog{stmt(kJmp | kJa, 1), ret(kRetAllow), ret(kRetAllow)}));

  // The last instruction must return.
  CHECK(rejected_at({ret(kRetAllow), ld_abs(0)}, 1));
  CHECK(rejected_at({ld_abs(0)}, 0));

  // Loads must be aligned words inside seccomp_data.
  CHECK(rejected_at({ld_abs(2), ret(kRetAllow)}, 0));
  CHECK(rejected_at({ld_abs(64), ret(kRetAllow)}, 0));
  CHECK(rejected_at({ld_abs(0xfffff000), ret(kRetAllow)}, 0));  // a socket filter's ancillary load

  // Opcodes only socket filters may use, or none at all.
  for (uint16_t code : {uint16_t(kLd | kH | kAbs), uint16_t(kLd | kB | kAbs), uint16_t(kLd | kW | kInd),
                        uint16_t(kLdx | kB | kMsh), uint16_t(kAlu | kMod | kK), uint16_t(kAlu | kMod | kX),
                        uint16_t(kJmp | kJa | kX), uint16_t(kRet | kX), uint16_t(0xffff), uint16_t(kLdx | kW | kAbs)}) {
    CAPTURE(code);
    CHECK(rejected_at({stmt(code, 4), ret(kRetAllow)}, 0));
  }

  // Constant operands the classic checker refuses.
  CHECK(rejected_at({ld_abs(0), alu(kDiv, 0), ret(kRetAllow)}, 1));
  CHECK(rejected_at({ld_abs(0), alu(kLsh, 32), ret(kRetAllow)}, 1));
  CHECK(rejected_at({ld_abs(0), alu(kRsh, 40), ret(kRetAllow)}, 1));
  CHECK(rejected_at({stmt(kLd | kMem, 16), ret(kRetAllow)}, 0));
  CHECK(rejected_at({stmt(kSt, 16), ret(kRetAllow)}, 0));

  // A scratch cell read before it is written on some path.
  CHECK(rejected_at({stmt(kLd | kMem, 0), ret(kRetAllow)}, 0));
  CHECK(rejected_at({ld_abs(0), jump(kJeqK, 1, 0, 1), stmt(kSt, 3), stmt(kLdx | kMem, 3), stmt(kRet | kA, 0)}, 3));
  CHECK(!validate(
      Prog{ld_abs(0), stmt(kSt, 3), jump(kJeqK, 1, 0, 1), ld_abs(4), stmt(kLdx | kMem, 3), stmt(kRet | kA, 0)}));
}

TEST_CASE("run: an allow-list on the syscall number") {
  const auto p = allow_list();
  REQUIRE(!validate(p));
  struct Case {
    uint32_t arch;
    int32_t nr;
    uint32_t ret;
    uint32_t executed;
  };
  for (const Case& c : {Case{kAuditX86_64, 0, kRetAllow, 5}, Case{kAuditX86_64, 1, kRetAllow, 6},
                        Case{kAuditX86_64, 60, kRetAllow, 7}, Case{kAuditX86_64, 2, kRetErrno | 1, 7},
                        Case{kAuditX86_64, -1, kRetErrno | 1, 7}, Case{kAuditI386, 0, kRetKillProcess, 3}}) {
    CAPTURE(c.nr);
    const RunResult r = run(p, call(c.arch, c.nr), false);
    CHECK(r.fault == nullptr);
    CHECK(r.ret == c.ret);
    CHECK(r.executed == c.executed);
  }
}

TEST_CASE("run: a 64-bit argument compare loads both words, in either byte order") {
  for (bool be : {false, true}) {
    CAPTURE(be);
    const auto p = arg_compare(be);
    REQUIRE(!validate(p));
    RunResult r = run(p, call(kAuditX86_64, 16, {0, 0x1'0000'5401}), be);
    CHECK(r.ret == kRetAllow);
    CHECK(r.executed == 8);
    r = run(p, call(kAuditX86_64, 16, {0, 0x5401}), be);
    CHECK(r.ret == (kRetErrno | 22));
    CHECK(r.executed == 6);
    r = run(p, call(kAuditX86_64, 16, {0, 0x1'0000'5402}), be);
    CHECK(r.ret == (kRetErrno | 22));
    CHECK(r.executed == 8);
    r = run(p, call(kAuditX86_64, 0), be);
    CHECK(r.ret == kRetAllow);
    CHECK(r.executed == 3);
    // The other arch's offsets read the wrong halves.
    r = run(arg_compare(!be), call(kAuditX86_64, 16, {0, 0x1'0000'5401}), be);
    CHECK(r.ret == (kRetErrno | 22));
  }
}

TEST_CASE("run: seccomp_data layout on little- and big-endian arches") {
  SeccompData d = call(kAuditS390x, -2, {0x1122334455667788ull, 0, 0, 0, 0, 0xa0a1a2a3b0b1b2b3ull});
  d.ip = 0x0102030405060708ull;
  auto word = [&](uint32_t off, bool be) { return run_ret({ld_abs(off), stmt(kRet | kA, 0)}, d, be); };
  CHECK(word(0, false) == 0xfffffffeu);
  CHECK(word(0, true) == 0xfffffffeu);
  CHECK(word(4, true) == kAuditS390x);
  CHECK(word(16, false) == 0x55667788u);
  CHECK(word(20, false) == 0x11223344u);
  CHECK(word(16, true) == 0x11223344u);
  CHECK(word(20, true) == 0x55667788u);
  CHECK(word(56, true) == 0xa0a1a2a3u);
  CHECK(word(60, true) == 0xb0b1b2b3u);
  CHECK(word(56, false) == 0xb0b1b2b3u);
  CHECK(word(8, false) == 0x05060708u);
  CHECK(word(8, true) == 0x01020304u);
  CHECK(arg_offset(5, true, true) == 56);
  CHECK(arg_offset(5, true, false) == 60);
}

TEST_CASE("run: ALU operations wrap at 32 bits") {
  const std::vector<Insn> chain = {stmt(kLd | kImm, 7), alu(kAdd, 5),      alu(kMul, 3),         alu(kSub, 6),
                                   alu(kDiv, 4),        alu(kOr, 0x100),   alu(kXor, 3),         alu(kLsh, 4),
                                   alu(kRsh, 2),        alu(kAnd, 0xffff), stmt(kAlu | kNeg, 0), stmt(kRet | kA, 0)};
  // 7+5=12, *3=36, -6=30, /4=7, |0x100=0x107, ^3=0x104, <<4=0x1040, >>2=0x410, &0xffff, -x.
  CHECK(run_ret(chain) == 0u - 0x410u);
  const RunResult r = run(chain, {}, false);
  CHECK(r.executed == chain.size());

  CHECK(run_ret({stmt(kLd | kImm, 0xffffffff), alu(kAdd, 1), stmt(kRet | kA, 0)}) == 0);
  CHECK(run_ret({stmt(kLd | kImm, 0), alu(kSub, 1), stmt(kRet | kA, 0)}) == 0xffffffffu);
  CHECK(run_ret({stmt(kLd | kImm, 0x10000), alu(kMul, 0x10000), stmt(kRet | kA, 0)}) == 0);
  CHECK(run_ret({stmt(kLd | kImm, 0x80000001), alu(kLsh, 31), stmt(kRet | kA, 0)}) == 0x80000000u);

  // The same operations with X as the operand.
  CHECK(run_ret({stmt(kLdx | kImm, 3), stmt(kLd | kImm, 10), alu_x(kDiv), stmt(kRet | kA, 0)}) == 3);
  CHECK(run_ret({stmt(kLdx | kImm, 3), stmt(kLd | kImm, 10), alu_x(kSub), stmt(kRet | kA, 0)}) == 7);
  CHECK(run_ret({stmt(kLdx | kImm, 0xf0), stmt(kLd | kImm, 0x3c), alu_x(kAnd), stmt(kRet | kA, 0)}) == 0x30);
  // A shift by X keeps only the low 5 bits of X, as the kernel's 32-bit eBPF shift does.
  CHECK(run_ret({stmt(kLdx | kImm, 33), stmt(kLd | kImm, 1), alu_x(kLsh), stmt(kRet | kA, 0)}) == 2);
  CHECK(run_ret({stmt(kLdx | kImm, 32), stmt(kLd | kImm, 0x80000000), alu_x(kRsh), stmt(kRet | kA, 0)}) == 0x80000000u);

  // Dividing by X == 0 ends the program with 0, as the kernel's conversion of classic BPF does.
  const std::vector<Insn> div0 = {stmt(kLd | kImm, 5), stmt(kLdx | kImm, 0), alu_x(kDiv), ret(kRetAllow)};
  REQUIRE(!validate(div0));
  const RunResult d0 = run(div0, {}, false);
  CHECK(d0.fault == nullptr);
  CHECK(d0.ret == 0);
  CHECK(d0.executed == 3);

  // MOD is classic BPF that seccomp refuses; the interpreter still knows it.
  const std::vector<Insn> mod = {stmt(kLd | kImm, 10), stmt(kLdx | kImm, 4), alu_x(kMod), stmt(kRet | kA, 0)};
  CHECK(validate(mod));
  CHECK(run(mod, {}, false).ret == 2);

  // TAX/TXA and jumps that compare with X.
  const std::vector<Insn> jx = {ld_abs(kOffsetNr),
                                stmt(kMisc | kTax, 0),
                                stmt(kLd | kImm, 5),
                                jump(kJmp | kJgt | kX, 0, 0, 1),  // 5 > nr
                                ret(1),
                                jump(kJmp | kJge | kX, 0, 0, 1),  // 5 >= nr
                                ret(2),
                                jump(kJmp | kJset | kX, 0, 0, 1),  // 5 & nr
                                ret(3),
                                stmt(kMisc | kTxa, 0),
                                stmt(kRet | kA, 0)};
  CHECK(run_ret(jx, call(0, 4)) == 1);
  CHECK(run_ret(jx, call(0, 5)) == 2);  // 5 >= 5
  CHECK(run_ret(jx, call(0, 7)) == 3);  // 5 & 7
  CHECK(run_ret(jx, call(0, 8)) == 8);  // 5 & 8 == 0: TXA gives nr
  CHECK(run_ret(jx, call(0, 10)) == 10);
}

TEST_CASE("run: scratch memory") {
  const std::vector<Insn> p = {ld_abs(kOffsetNr),    stmt(kSt, 3),        stmt(kLdx | kImm, 0x40),
                               stmt(kStx, 15),       stmt(kLd | kImm, 0), stmt(kLdx | kMem, 3),
                               stmt(kLd | kMem, 15), alu_x(kAdd),         stmt(kRet | kA, 0)};
  CHECK(run_ret(p, call(0, 2)) == 0x42);
  CHECK(run(p, call(0, 2), false).executed == 9);
  CHECK(run_ret({stmt(kLd | kW | kLen, 0), stmt(kLdx | kW | kLen, 0), alu_x(kAdd), stmt(kRet | kA, 0)}) == 128);
}

TEST_CASE("run fails closed on programs the kernel would refuse") {
  for (const std::vector<Insn>& bad : std::vector<std::vector<Insn>>{
           {},
           {stmt(kLd | kImm, 1)},
           {stmt(kJmp | kJa, 0xffffffff), ret(kRetAllow)},
           {jump(kJeqK, 0, 200, 200), ret(kRetAllow)},
           {ld_abs(62), ret(kRetAllow)},
           {ld_abs(0x7ffffffc), ret(kRetAllow)},
           {stmt(kLd | kMem, 99), ret(kRetAllow)},
           {stmt(kSt, 16), ret(kRetAllow)},
           {alu(kDiv, 0), ret(kRetAllow)},
           {alu(kLsh, 32), ret(kRetAllow)},
           {stmt(0xffff, 0), ret(kRetAllow)},
           {stmt(kLd | kB | kAbs, 0), ret(kRetAllow)},
       }) {
    CHECK(validate(bad));
    const RunResult r = run(bad, call(kAuditX86_64, 0), false);
    CHECK(r.fault != nullptr);
    CHECK(r.ret == kRetKillProcess);
  }
}

TEST_CASE("const_action emulates the kernel's action cache") {
  const auto p = allow_list();
  CHECK(const_action(p, kAuditX86_64, 0, false) == CacheVerdict::AlwaysAllow);
  CHECK(const_action(p, kAuditX86_64, 60, false) == CacheVerdict::AlwaysAllow);
  CHECK(const_action(p, kAuditX86_64, 2, false) == CacheVerdict::NotAllow);
  CHECK(const_action(p, kAuditI386, 0, false) == CacheVerdict::NotAllow);

  const auto q = arg_compare(false);
  CHECK(const_action(q, kAuditX86_64, 0, false) == CacheVerdict::AlwaysAllow);
  CHECK(const_action(q, kAuditX86_64, 16, false) == CacheVerdict::Depends);
  CHECK(const_action(q, kAuditX86_64, 17, false) == CacheVerdict::NotAllow);

  // AND with a constant and JSET are emulated; constant loads, X operands and RET A are not.
  const std::vector<Insn> masked = {ld_abs(kOffsetNr),    alu(kAnd, 0xff), jump(kJmp | kJset | kK, 0x100, 1, 0),
                                    jump(kJeqK, 1, 1, 0), ret(kRetTrap),   ret(kRetAllow)};
  REQUIRE(!validate(masked));
  CHECK(const_action(masked, kAuditX86_64, 0x101, false) == CacheVerdict::AlwaysAllow);
  CHECK(const_action(masked, kAuditX86_64, 2, false) == CacheVerdict::NotAllow);
  CHECK(const_action(Prog{stmt(kLd | kImm, 0), ret(kRetAllow)}, kAuditX86_64, 0, false) == CacheVerdict::Depends);
  CHECK(const_action(Prog{ld_abs(0), stmt(kMisc | kTax, 0), ret(kRetAllow)}, kAuditX86_64, 0, false) ==
        CacheVerdict::Depends);
  CHECK(const_action(Prog{stmt(kLd | kImm, kRetAllow), stmt(kRet | kA, 0)}, kAuditX86_64, 0, false) ==
        CacheVerdict::Depends);
  CHECK(const_action(Prog{ld_abs(0), alu(kOr, 1), ret(kRetAllow)}, kAuditX86_64, 0, false) == CacheVerdict::Depends);
  CHECK(const_action(Prog{stmt(kJmp | kJa, 1), ret(kRetTrap), ret(kRetAllow)}, kAuditX86_64, 0, false) ==
        CacheVerdict::AlwaysAllow);
  // Allow with data is not SECCOMP_RET_ALLOW to the kernel's exact comparison.
  CHECK(const_action(Prog{ret(kRetAllow | 1)}, kAuditX86_64, 0, false) == CacheVerdict::NotAllow);
  // The register starts at 0 before any load.
  CHECK(const_action(Prog{jump(kJeqK, 0, 0, 1), ret(kRetAllow), ret(kRetTrap)}, kAuditX86_64, 5, false) ==
        CacheVerdict::AlwaysAllow);
}

TEST_CASE("listing: exact text of a small program") {
  const std::vector<Insn> p = {
      ld_abs(kOffsetArch),              // 0
      jump(kJeqK, kAuditX86_64, 1, 0),  // 1: -> 3, 2
      ret(kRetKillProcess),             // 2
      ld_abs(kOffsetNr),                // 3
      jump(kJeqK, 1, 6, 0),             // 4: -> 11, 5
      jump(kJeqK, 16, 0, 6),            // 5: -> 6, 12
      ld_abs(28),                       // 6
      jump(kJeqK, 0, 0, 4),             // 7: -> 8, 12
      ld_abs(24),                       // 8
      jump(kJeqK, 0x5401, 1, 0),        // 9: -> 11, 10
      ret(kRetTrace | 7),               // 10
      ret(kRetAllow),                   // 11
      ret(kRetErrno | 1),               // 12
      ret(kRetKillThread),              // 13
  };
  REQUIRE(!validate(p));
  const std::map<uint32_t, std::string> names = {{1, "write"}, {16, "ioctl"}, {0x5401, "not a syscall here"}};
  ListingContext ctx;
  ctx.title = "policy: demo\ntarget: x86_64";
  ctx.audit_arch = kAuditX86_64;
  ctx.syscall_names = &names;
  const std::string expected =
      "; policy: demo\n"
      "; target: x86_64\n"
      "; 14 instructions\n"
      "   0: ld   [4]                       ; seccomp_data.arch\n"
      "   1: jeq  #0xc000003e, 3, 2         ; x86_64\n"
      "   2: ret  #0x80000000               ; kill_process\n"
      "   3: ld   [0]                       ; seccomp_data.nr\n"
      "   4: jeq  #0x1, 11, 5               ; write\n"
      "   5: jeq  #0x10, 6, 12              ; ioctl\n"
      "   6: ld   [28]                      ; args[1] high\n"
      "   7: jeq  #0x0, 8, 12\n"
      "   8: ld   [24]                      ; args[1] low\n"
      "   9: jeq  #0x5401, 11, 10\n"
      "  10: ret  #0x7ff00007               ; trace(7)\n"
      "  11: ret  #0x7fff0000               ; allow\n"
      "  12: ret  #0x50001                  ; errno(1)\n"
      "  13: ret  #0x0                      ; unreachable\n";
  CHECK(listing(p, ctx) == expected);

  // On a big-endian arch the same offsets are the other halves; names are for another arch here.
  ctx.title.clear();
  ctx.big_endian = true;
  ctx.audit_arch = kAuditS390x;
  const std::string be = listing(p, ctx);
  CHECK(be.rfind("; 14 instructions\n", 0) == 0);
  CHECK(be.find("; args[1] low\n") < be.find("; args[1] high\n"));
  CHECK(be.find("write") == std::string::npos);
  CHECK(be.find("ioctl") == std::string::npos);
}

TEST_CASE("listing: every opcode has a mnemonic") {
  const std::vector<Insn> p = {stmt(kLd | kW | kLen, 0),
                               stmt(kLdx | kImm, 2),
                               stmt(kSt, 1),
                               stmt(kStx, 2),
                               stmt(kLd | kMem, 1),
                               alu_x(kAdd),
                               alu(kRsh, 3),
                               stmt(kAlu | kNeg, 0),
                               stmt(kMisc | kTax, 0),
                               stmt(kMisc | kTxa, 0),
                               stmt(kJmp | kJa, 1),
                               alu(kAnd, 1),
                               alu(kMod, 3),
                               jump(kJmp | kJset | kX, 0, 0, 0),
                               stmt(0xffff, 0),
                               stmt(kRet | kA, 0)};
  ListingContext ctx;
  const std::string text = listing(p, ctx);
  for (const char* needle : {"ld   #len", "ldx  #0x2", "st   M[1]", "stx  M[2]", "ld   M[1]", "add  x", "rsh  #0x3",
                             "neg\n", "tax\n", "txa\n", "ja   12", "and  #0x1", "mod  #0x3", "jset x, 14, 14",
                             "???  code=0xffff", "ret  a\n", "; unreachable", "; not allowed in a seccomp filter"}) {
    CAPTURE(std::string(needle));
    CHECK(text.find(needle) != std::string::npos);
  }
  CHECK(text.back() == '\n');
  CHECK(listing({}, ctx) == "; 0 instructions\n");
}

namespace {

// A libseccomp filter for one arch, exported the way bubblewrap reads it and decoded back.
struct Exported {
  std::vector<Insn> program;
  uint32_t nr(const char* name) const {
    const int n = seccomp_syscall_resolve_name_arch(token, name);
    REQUIRE(n >= 0);
    return static_cast<uint32_t>(n);
  }
  uint32_t token = 0;
};

scmp_arg_cmp cmp(unsigned arg, scmp_compare op, uint64_t a, uint64_t b = 0) {
  scmp_arg_cmp c{};
  c.arg = arg;
  c.op = op;
  c.datum_a = a;
  c.datum_b = b;
  return c;
}

void add_rule(scmp_filter_ctx ctx, uint32_t action, const char* name, std::vector<scmp_arg_cmp> cmps) {
  const int nr = seccomp_syscall_resolve_name(name);  // native numbers; libseccomp translates them
  REQUIRE(nr >= 0);
  REQUIRE(seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(cmps.size()), cmps.data()) == 0);
}

Exported export_filter(uint32_t arch_token, bool big_endian) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  REQUIRE(ctx != nullptr);
  REQUIRE(seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE) == 0);
  REQUIRE(seccomp_arch_add(ctx, arch_token) == 0);
  REQUIRE(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) == 0);
  add_rule(ctx, SCMP_ACT_ALLOW, "write", {cmp(0, SCMP_CMP_EQ, 1)});
  add_rule(ctx, SCMP_ACT_ALLOW, "mprotect", {cmp(2, SCMP_CMP_MASKED_EQ, 4, 0)});
  add_rule(ctx, SCMP_ACT_ALLOW, "read", {cmp(0, SCMP_CMP_LT, 3), cmp(2, SCMP_CMP_GE, 0x1'0000'0000ull)});
  add_rule(ctx, SCMP_ACT_ERRNO(EACCES), "ioctl", {cmp(1, SCMP_CMP_NE, 0x5401)});
  add_rule(ctx, SCMP_ACT_ALLOW, "getpid", {});

  const int fd = memfd_create("polc-seccomp-test", MFD_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(seccomp_export_bpf(ctx, fd) == 0);
  seccomp_release(ctx);
  std::vector<uint8_t> bytes;
  REQUIRE(lseek(fd, 0, SEEK_SET) == 0);
  uint8_t buf[4096];
  for (ssize_t got; (got = read(fd, buf, sizeof buf)) > 0;) bytes.insert(bytes.end(), buf, buf + got);
  close(fd);

  std::string error;
  auto program = decode(bytes, big_endian, &error);
  REQUIRE_MESSAGE(program, error);
  const auto invalid = validate(*program);
  REQUIRE_MESSAGE(!invalid, *invalid);
  return Exported{*program, arch_token};
}

}  // namespace

TEST_CASE("libseccomp's filters decode, validate and decide as libseccomp meant") {
  struct Target {
    uint32_t token;
    uint32_t audit;
    bool big_endian;
  };
  for (const Target& t : {Target{SCMP_ARCH_X86_64, kAuditX86_64, false}, Target{SCMP_ARCH_S390X, kAuditS390x, true}}) {
    CAPTURE(t.audit);
    const Exported f = export_filter(t.token, t.big_endian);
    auto decide = [&](const char* name, std::array<uint64_t, 6> args, uint32_t arch = 0) {
      const SeccompData d = call(arch ? arch : t.audit, static_cast<int32_t>(f.nr(name)), args);
      const RunResult r = run(f.program, d, t.big_endian);
      REQUIRE(r.fault == nullptr);
      return decode_ret(r.ret);
    };
    const Action allow{ActionKind::Allow, 0};
    const Action eperm{ActionKind::Errno, EPERM};
    const Action eacces{ActionKind::Errno, EACCES};

    CHECK(decide("write", {1, 0, 10}) == allow);
    CHECK(decide("write", {2, 0, 10}) == eperm);
    CHECK(decide("write", {0x1'0000'0001ull}) == eperm);  // EQ compares all 64 bits
    CHECK(decide("mprotect", {0, 4096, 3}) == allow);     // PROT_READ|PROT_WRITE
    CHECK(decide("mprotect", {0, 4096, 5}) == eperm);     // PROT_EXEC set
    CHECK(decide("mprotect", {0, 4096, 0x1'0000'0001ull}) == allow);
    CHECK(decide("read", {0, 0, 0x1'0000'0000ull}) == allow);
    CHECK(decide("read", {2, 0, 0x7'0000'0000ull}) == allow);
    CHECK(decide("read", {3, 0, 0x1'0000'0000ull}) == eperm);
    CHECK(decide("read", {0, 0, 0xffff'ffffull}) == eperm);
    CHECK(decide("read", {0x1'0000'0000ull, 0, 0x1'0000'0000ull}) == eperm);  // LT on the high word
    CHECK(decide("ioctl", {0, 0x5401}) == eperm);
    CHECK(decide("ioctl", {0, 0x5402}) == eacces);
    CHECK(decide("ioctl", {0, 0x1'0000'5401ull}) == eacces);
    CHECK(decide("getpid", {}) == allow);
    CHECK(decide("close", {}) == eperm);
    CHECK(decide("getpid", {}, kAuditI386) == Action{ActionKind::KillProcess, 0});

    // Only the argument-free rule can be cached by the kernel.
    CHECK(const_action(f.program, t.audit, static_cast<int32_t>(f.nr("getpid")), t.big_endian) ==
          CacheVerdict::AlwaysAllow);
    CHECK(const_action(f.program, t.audit, static_cast<int32_t>(f.nr("write")), t.big_endian) == CacheVerdict::Depends);
    CHECK(const_action(f.program, t.audit, static_cast<int32_t>(f.nr("close")), t.big_endian) ==
          CacheVerdict::NotAllow);

    ListingContext ctx;
    ctx.audit_arch = t.audit;
    ctx.big_endian = t.big_endian;
    const std::string text = listing(f.program, ctx);
    CHECK(text.find("; allow\n") != std::string::npos);
    CHECK(text.find("; errno(13)\n") != std::string::npos);
    CHECK(text.find("; seccomp_data.arch\n") != std::string::npos);
  }
}

TEST_CASE("libseccomp's x86_64 filter sends x32 syscall numbers to the bad-arch action") {
  const Exported f = export_filter(SCMP_ARCH_X86_64, false);
  const auto nr = static_cast<int32_t>(f.nr("getpid") | 0x40000000u);
  const RunResult r = run(f.program, call(kAuditX86_64, nr), false);
  CHECK(r.fault == nullptr);
  CHECK(decode_ret(r.ret) == Action{ActionKind::KillProcess, 0});
}
