// Stage: verify. Symbolic execution of a classic BPF seccomp program over Z3 bit-vectors: what the
// program returns for every `struct seccomp_data`, as formulas, with exactly the semantics of the
// concrete model in backends/seccomp/bpf_interp.cpp (loads, ALU, jumps, scratch cells, division by
// zero). Translation validation (translation.h) compares the result with the IR's decision.
//
// Classic BPF jumps only forward, so a program is a DAG: the executor walks it once in program
// order, merging the states that reach an instruction (a reachability condition, and A, X and
// M[0..15] as if-then-else terms) instead of enumerating paths, so its cost is linear in the
// program's length. Inputs given as numerals are folded as the walk goes, and so are comparisons
// that known facts about the number and the arch decide: with the arch and the number fixed,
// every jump on them is decided and only the path actually taken is visited.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>
#include <z3++.h>

#include "backends/seccomp/bpf_program.h"
#include "compiler/verify/syscall_model.h"

namespace polc::verify {

// The program's input, field by field (each a bit-vector term; a numeral fixes the field).
struct SymbolicData {
  z3::expr nr;    // 32 bits
  z3::expr arch;  // 32 bits (AUDIT_ARCH_*)
  z3::expr ip;    // 64 bits
  ArgVars args;   // 6 × 64 bits
};

// What the caller's query assumes about a symbolic 32-bit field (as unsigned): lo <= v <= hi and v
// not in `excluded` (sorted).
struct FieldFacts {
  uint32_t lo = 0;
  uint32_t hi = UINT32_MAX;
  std::vector<uint32_t> excluded;
};

// Facts about `nr` and `arch`. The walk decides the jumps that compare the loaded field with a
// constant these facts decide (the arch check, libseccomp's dispatch on the number), so the exits
// leave out the code of excluded values. The exits are only meaningful on inputs that satisfy the
// facts: the query that uses them must assert the facts too.
struct Facts {
  FieldFacts nr;
  FieldFacts arch;
};

// Fresh variables `nr`, `arch`, `ip`, `arg0`..`arg5`.
SymbolicData make_data(z3::context& ctx);

// The value of a bit-vector numeral of at most 64 bits; nullopt for any other term.
std::optional<uint64_t> numeral(const z3::expr& e);

// One return the program can reach: on the inputs where `when` holds, the program ends there and
// returns `value` (32 bits; a numeral for RET K). The `when`s of a program's exits are pairwise
// disjoint and together cover every input (a validated program always reaches a return). Exits
// whose condition folded to false are left out.
struct Exit {
  z3::expr when;
  z3::expr value;
};

// A program the kernel's checker accepts (backends::seccomp::validate), checked once for all the
// walks over it. It refers to the instructions, which the caller keeps alive.
class CheckedProgram {
 public:
  // nullopt, with `*error` set (if given), when the kernel would refuse to load the program: an
  // invalid program has no meaning to compare.
  static std::optional<CheckedProgram> check(std::span<const backends::seccomp::Insn> program,
                                             std::string* error = nullptr);
  std::span<const backends::seccomp::Insn> insns() const { return insns_; }

 private:
  explicit CheckedProgram(std::span<const backends::seccomp::Insn> insns) : insns_(insns) {}
  std::span<const backends::seccomp::Insn> insns_;
};

// The exits of `program` run over `data` laid out as the kernel lays it out for an arch of the
// given byte order. `compared_nr`, when given, receives every constant that a reachable jump
// compared the loaded number itself with and `facts` did not decide (sorted, without repeats):
// the points where the program's path can change with the number.
std::vector<Exit> execute(const CheckedProgram& program, bool big_endian, const SymbolicData& data,
                          const Facts& facts = {}, std::vector<uint32_t>* compared_nr = nullptr);

// What `program` returns for every number from `lo` to `hi` (both included) on the arch value
// `audit`, whatever the arguments and instruction pointer, found by running it once, concretely,
// for `lo`; nullopt when that run cannot tell. The run gives up unless it reads nothing but the
// number and the arch (32-bit loads, the same in either byte order), keeps them unchanged in A,
// and compares the number only in jumps (jeq, jgt, jge against a constant; jset only when lo ==
// hi) whose outcome is the same at every number of the range. Every number then takes the same
// jumps to the same return. Translation validation decides most number ranges this way: the
// symbolic walk reaches the same answer through Z3's terms, at a few hundred microseconds a range.
std::optional<uint32_t> return_for_numbers(std::span<const backends::seccomp::Insn> program, uint32_t audit,
                                           uint32_t lo, uint32_t hi);

// The return value as one term (an if-then-else over the exits). `exits` is what `execute`
// returned, so never empty.
z3::expr return_value(const std::vector<Exit>& exits);

}  // namespace polc::verify
