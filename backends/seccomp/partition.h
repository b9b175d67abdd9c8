// Stage: backends/seccomp. Turns one architecture's syscall rules into rules libseccomp can take
// without changing their meaning. The IR's rules may overlap, and the most restrictive matching
// action must win (the kernel's order); libseccomp gives no such guarantee between overlapping
// rules of one syscall. So each syscall's argument space is partitioned: every action gets the
// region where it wins, minus the regions of more restrictive actions, and the regions that are
// left do not overlap. Each region is then spelled as rules of one comparison per argument.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/seccomp/arg_sets.h"
#include "compiler/ir/ir.h"

namespace polc::backends::seccomp {

// One libseccomp rule: a syscall, an action, and at most one comparison per argument.
struct LoweredRule {
  std::string syscall;
  int nr = 0;
  ir::Action action;
  std::vector<std::pair<uint8_t, Atom>> cmps;  // (argument index, comparison), by index
};

// Above this many rules for one syscall the program cannot fit: libseccomp spells each rule that
// no other rule contains as a path of its decision tree ending in a comparison instruction of its
// own, and the kernel loads at most 4096 instructions (BPF_MAXINSNS). The partition stops there
// rather than spell rules that cannot be loaded; below it, the program's real length decides
// (E0602 after code generation), so this is never the tighter limit.
inline constexpr uint64_t kMaxRulesPerSyscall = 4096;

struct PartitionError {
  // TooWide: a comparison reads more bits than the arch's filter compares. Multiplexed: a
  // condition on a socket or IPC call of x86 or s390x, which libseccomp only knows through the
  // socketcall/ipc multiplexers, whose arguments no filter can read. TooManyRules: see above.
  enum class Kind : uint8_t { TooWide, Multiplexed, TooManyRules } kind = Kind::TooWide;
  const ir::SyscallRule* rule = nullptr;  // the rule that cannot be expressed (TooWide) or the
                                          // first rule of the syscall (TooManyRules)
  uint64_t rules_needed = 0;
  unsigned compared_bits = 0;
};

struct ArchPartition {
  arch::Arch arch = arch::Arch::x86_64;
  std::vector<LoweredRule> rules;  // by syscall number, then most restrictive action first
  std::vector<PartitionError> errors;
};

// The comparison space of libseccomp's code for `a`: the low word only on x86, arm and x32.
CmpSpace compare_space(arch::Arch a);

// How a syscall whose rules test several arguments is spelled. Masked: every comparison as masked
// equalities, which libseccomp 2.5.4 compiles correctly in every shape seen (see partition.cpp);
// exact, but `!=` or a range costs up to one rule per bit, and they multiply across arguments.
// Compact: ordering and `!=` comparisons kept where that needs fewer rules (three rules on `read`
// testing `fd` and `count` need 37 instead of 1,030). Compact is only tried when the masked
// spelling cannot be loaded; its program then goes through the same checks as any other (the
// interpreter's conformance check here, translation validation in the build), so a libseccomp
// miscompile fails the build instead of shipping.
enum class Spelling : uint8_t { Masked, Compact };

ArchPartition partition(const ir::ArchFilter& filter, const ir::Action& default_action,
                        Spelling spelling = Spelling::Masked);

}  // namespace polc::backends::seccomp
