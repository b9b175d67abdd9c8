// Stage: backends/seccomp. Listings of seccomp filters. A program's meaning depends on what the A
// register holds, so the listing follows it along every path (jumps only go forward, so one pass in
// program order suffices) rather than trusting the previous line: a syscall name is shown only
// where A certainly holds the syscall number, and only where the arch check (if any) selected the
// arch whose names we were given.
#include "backends/seccomp/bpf_listing.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "backends/seccomp/bpf_interp.h"

namespace polc::backends::seccomp {

namespace {

using namespace bpf;

// What A holds on entry to an instruction, over every path that reaches it.
enum class Holds : uint8_t { Nr, Arch, Other };

struct State {
  bool reached = false;
  Holds a = Holds::Other;
  std::optional<uint32_t> arch;  // set where a passed `jeq` on the arch fixes seccomp_data.arch

  void merge(const State& in) {
    if (!reached) {
      *this = in;
      return;
    }
    if (a != in.a) a = Holds::Other;
    if (arch != in.arch) arch.reset();
  }
};

std::string_view arch_name(uint32_t audit) {
  switch (audit) {
    case 0xc000003e: return "x86_64";
    case 0x40000003: return "i386";
    case 0xc00000b7: return "aarch64";
    case 0x40000028: return "arm";
    case 0xc00000f3: return "riscv64";
    case 0x80000016: return "s390x";
    default: return {};
  }
}

std::string field_name(uint32_t off, bool big_endian) {
  if (off == kOffsetNr) return "seccomp_data.nr";
  if (off == kOffsetArch) return "seccomp_data.arch";
  if (off >= kSeccompDataSize) return "outside seccomp_data";
  if (off % 4 != 0) return "unaligned";
  const uint32_t field = off & ~7u;  // the 64-bit field this word is half of
  const bool high = off == half_offset(field, true, big_endian);
  const std::string half = high ? " high" : " low";
  if (field == kOffsetIp) return "seccomp_data.ip" + half;
  return "args[" + std::to_string((field - kOffsetArgs) / 8) + "]" + half;
}

std::string ret_comment(uint32_t k) {
  const ir::Action act = decode_ret(k);
  std::string s = ir::action_text(act);
  const uint32_t action = k & kRetActionMask;
  if (act.kind == ir::ActionKind::KillProcess && action != kRetKillProcess)
    s += " (unknown action " + hex(action) + ")";
  return s;
}

std::string_view alu_name(uint16_t op) {
  switch (op) {
    case kAdd: return "add";
    case kSub: return "sub";
    case kMul: return "mul";
    case kDiv: return "div";
    case kOr: return "or";
    case kAnd: return "and";
    case kLsh: return "lsh";
    case kRsh: return "rsh";
    case kNeg: return "neg";
    case kMod: return "mod";
    case kXor: return "xor";
    default: return {};
  }
}

std::string_view jump_name(uint16_t op) {
  switch (op) {
    case kJa: return "ja";
    case kJeq: return "jeq";
    case kJgt: return "jgt";
    case kJge: return "jge";
    case kJset: return "jset";
    default: return {};
  }
}

struct Line {
  std::string body;
  std::string comment;
};

std::string with_operands(std::string_view mnemonic, const std::string& operands) {
  std::string s(mnemonic);
  if (operands.empty()) return s;
  s.resize(std::max<size_t>(s.size() + 1, 5), ' ');
  return s + operands;
}

}  // namespace

std::string listing(std::span<const Insn> program, const ListingContext& ctx) {
  const size_t n = program.size();
  std::vector<State> states(n);
  if (n > 0) states[0].reached = true;
  auto flow = [&](size_t target, const State& s) {
    if (target < n) states[target].merge(s);
  };

  std::vector<Line> lines(n);
  for (size_t pc = 0; pc < n; ++pc) {
    const Insn& insn = program[pc];
    const State in = states[pc];
    State out = in;
    Line& line = lines[pc];
    const uint16_t cls = op_class(insn.code);
    const uint16_t mode = op_mode(insn.code);
    const bool word = op_size(insn.code) == kW;
    const std::string src = op_src(insn.code) == kX ? "x" : "#" + hex(insn.k);
    bool falls_through = true;

    if ((cls == kLd || cls == kLdx) && word && (mode == kImm || mode == kMem || mode == kLen || mode == kAbs) &&
        !(cls == kLdx && mode == kAbs)) {
      const std::string_view mn = cls == kLd ? "ld" : "ldx";
      if (mode == kImm) {
        line.body = with_operands(mn, "#" + hex(insn.k));
      } else if (mode == kMem) {
        line.body = with_operands(mn, "M[" + std::to_string(insn.k) + "]");
      } else if (mode == kLen) {
        line.body = with_operands(mn, "#len");
        line.comment = "sizeof(seccomp_data) = " + std::to_string(kSeccompDataSize);
      } else {
        line.body = with_operands(mn, "[" + std::to_string(insn.k) + "]");
        line.comment = field_name(insn.k, ctx.big_endian);
      }
      if (cls == kLd) {
        out.a = Holds::Other;
        if (mode == kAbs && insn.k == kOffsetNr) out.a = Holds::Nr;
        if (mode == kAbs && insn.k == kOffsetArch) out.a = Holds::Arch;
      }
    } else if (insn.code == kSt || insn.code == kStx) {
      line.body = with_operands(insn.code == kSt ? "st" : "stx", "M[" + std::to_string(insn.k) + "]");
    } else if (cls == kAlu && !alu_name(op_op(insn.code)).empty()) {
      const uint16_t op = op_op(insn.code);
      line.body = with_operands(alu_name(op), op == kNeg ? "" : src);
      out.a = Holds::Other;
    } else if (cls == kJmp && !jump_name(op_op(insn.code)).empty()) {
      falls_through = false;
      const uint16_t op = op_op(insn.code);
      if (op == kJa) {
        const size_t target = pc + 1 + insn.k;
        line.body = with_operands("ja", std::to_string(target));
        flow(target, out);
      } else {
        const size_t t = pc + 1 + insn.jt;
        const size_t f = pc + 1 + insn.jf;
        line.body = with_operands(jump_name(op), src + ", " + std::to_string(t) + ", " + std::to_string(f));
        const bool constant = op_src(insn.code) == kK;
        if (constant && in.a == Holds::Arch) {
          line.comment = std::string(arch_name(insn.k));
        } else if (constant && in.a == Holds::Nr && op != kJset && ctx.syscall_names &&
                   (!in.arch || *in.arch == ctx.audit_arch)) {
          if (auto it = ctx.syscall_names->find(insn.k); it != ctx.syscall_names->end()) line.comment = it->second;
        }
        State taken = out;
        if (constant && in.a == Holds::Arch && op == kJeq) taken.arch = insn.k;
        flow(t, taken);
        flow(f, out);
      }
    } else if (insn.code == (kRet | kK)) {
      falls_through = false;
      line.body = with_operands("ret", "#" + hex(insn.k));
      line.comment = ret_comment(insn.k);
    } else if (insn.code == (kRet | kA)) {
      falls_through = false;
      line.body = with_operands("ret", "a");
    } else if (insn.code == (kMisc | kTax)) {
      line.body = "tax";
    } else if (insn.code == (kMisc | kTxa)) {
      line.body = "txa";
      out.a = Holds::Other;
    } else {
      line.body = with_operands("???", "code=" + hex(insn.code) + " jt=" + std::to_string(insn.jt) +
                                           " jf=" + std::to_string(insn.jf) + " k=" + hex(insn.k));
    }
    if (falls_through) flow(pc + 1, out);

    // Say so where the kernel would refuse the program, and where code can never run.
    if (!seccomp_allows_opcode(insn.code)) line.comment = "not allowed in a seccomp filter";
    else if (!in.reached) line.comment = "unreachable";
  }

  std::string out;
  size_t start = 0;
  while (start < ctx.title.size()) {
    const size_t end = std::min(ctx.title.find('\n', start), ctx.title.size());
    const std::string_view text = std::string_view(ctx.title).substr(start, end - start);
    out += text.empty() ? ";\n" : "; " + std::string(text) + "\n";
    start = end + 1;
  }
  out += "; " + std::to_string(n) + (n == 1 ? " instruction\n" : " instructions\n");

  const size_t index_width = std::max<size_t>(4, std::to_string(n == 0 ? 0 : n - 1).size());
  size_t column = 30;
  for (const Line& l : lines)
    if (!l.comment.empty()) column = std::max(column, l.body.size());
  ++column;
  for (size_t pc = 0; pc < n; ++pc) {
    const std::string index = std::to_string(pc);
    std::string text = std::string(index_width - index.size(), ' ') + index + ": " + lines[pc].body;
    if (!lines[pc].comment.empty()) {
      text.resize(index_width + 2 + column, ' ');
      text += "; " + lines[pc].comment;
    }
    out += text + "\n";
  }
  return out;
}

}  // namespace polc::backends::seccomp
