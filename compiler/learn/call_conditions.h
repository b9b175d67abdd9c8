// Stage: learn. Which arguments of an observed call a learned rule puts conditions on, and the
// condition text for a set of observed calls of one syscall. Shared by the draft (one rule per
// syscall, built from every observed form) and rule_text (one rule for one observation).
//
// The rules (docs/learn.md repeats them):
// - Conditioned syscalls and arguments: socket/socketpair (domain, type & 0xf, protocol), ioctl
//   (request), prctl (option), personality (persona), the set*id family (every uid/gid argument),
//   clone (flags), mmap/mmap2/mprotect/pkey_mprotect (prot). Every other syscall is allowed
//   without conditions: its kept arguments (if any) are recorded but not filtered on.
// - Each conditioned argument gets the set of values observed: `arg == V` for one value,
//   `arg in {V, W}` for more. Conditions of different arguments are joined with commas (and),
//   so the rule allows the product of the per-argument sets (a superset of the observed tuples,
//   kept because it reads like a policy a person writes).
// - socket's type is masked with 0xf (SOCK_NONBLOCK/SOCK_CLOEXEC vary freely); protocol is
//   always conditioned (so that no MPTCP or SCTP socket rides on an AF_INET rule: E0407), and
//   named as an IP protocol only when the domain set is within AF_INET/AF_INET6 (other families
//   number their protocols differently), otherwise written as a number.
//   On a draft that targets x86 or s390x, socket and socketpair get no conditions: libseccomp
//   filters them there together with socketcall, whose arguments are in memory (E0601).
// - clone: if no observed call had a namespace flag, `flags & NAMESPACE_CLONE_FLAGS == 0` (when
//   the policy imports a std module, all of which load std.groups, which defines it) or
//   `flags & (CLONE_NEWNS | ...) == 0`; otherwise no condition (std.hardening, when imported,
//   kills namespace flags anyway).
// - prot (W^X): if no observed call had PROT_WRITE and PROT_EXEC together,
//   `prot & (PROT_WRITE | PROT_EXEC) != PROT_WRITE | PROT_EXEC`; otherwise no condition.
// - Values are written by name when a constant of the argument's category has exactly that value
//   on the call's arch (AF_UNIX, not AF_LOCAL; SOCK_STREAM; TCGETS; PR_SET_NAME; but protocol 0, the
//   family's default, as 0); an argument whose
//   bits are all set at its width is written -1 (setresuid(-1, 0, -1)); others in hexadecimal
//   above 9, decimal otherwise.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "compiler/learn/recording.h"

namespace polc::learn {

// True when drafts put conditions on `syscall`'s arguments.
bool conditioned_syscall(std::string_view syscall);

// The condition list for a rule allowing `calls` (all of the same syscall name), without the
// parentheses: "domain in {AF_INET, AF_INET6}, type & 0xf == SOCK_STREAM". Empty when the syscall
// takes no conditions or nothing usable was recorded. An argument is conditioned only when every
// one of `targets` that has the syscall names it alike (a rule's argument names must resolve on
// each target); empty `targets`: the calls' own arches.
// `std_groups`: std.groups is loaded, so NAMESPACE_CLONE_FLAGS can be named.
std::string call_conditions(std::span<const Call* const> calls, std::span<const arch::Arch> targets = {},
                            bool std_groups = false);

// "name" or "name(conditions)" for one call.
std::string call_target_text(const Call& call);

}  // namespace polc::learn
