// Stage: ir. The concrete meaning of a policy's syscall section: what it decides for one call
// (arch, number, argument registers). This is the reference every emitted filter is checked
// against (tests, `polc eval`, the build's self-check), so it follows the IR's definitions
// literally and shares no code with the backends.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::ir {

struct SyscallDecision {
  Action action;
  // Why: the target the call belongs to is not in the policy (foreign arch or x32 ABI), no rule
  // matched (the default decided), or the rules in `matched` did (the winner is the most
  // restrictive of them).
  enum class Reason : uint8_t { Foreign, Default, Rules } reason = Reason::Default;
  std::vector<const SyscallRule*> matched;  // every rule whose condition holds, in IR order
};

// True when the comparison holds for a register value: the register is truncated to the
// comparison's width first, as the kernel reads the argument.
bool holds(const ArgCmp& cmp, uint64_t reg);
bool holds(const Clause& clause, const std::array<uint64_t, 6>& args);
bool holds(const std::vector<Clause>& when, const std::array<uint64_t, 6>& args);

// The target a call belongs to among `targets`: arch::from_audit_arch, except that -1 on x86_64's
// audit value (a tracer skipping the call) belongs to x32 when x32 is a target and x86_64 is not,
// as libseccomp's programs decide it. nullopt: not one of `targets`.
std::optional<arch::Arch> call_target(std::span<const arch::Arch> targets, uint32_t audit_arch, int32_t nr);

// `audit_arch` is seccomp_data.arch (AUDIT_ARCH_*), `nr` seccomp_data.nr as the kernel passes it
// (x32 numbers carry bit 30). The result references rules of `policy`.
SyscallDecision decide(const Policy& policy, uint32_t audit_arch, int32_t nr, const std::array<uint64_t, 6>& args);

}  // namespace polc::ir
