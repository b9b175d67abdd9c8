// Stage: sema. The documented size of the largest policy polc compiles (docs/language.md, "Cost").
// Every later stage is near-linear in these counts, so a policy within them is checked in bounded
// time and memory; one beyond them is refused with E0007 as soon as the count is passed, before
// any of its rules reach the verifier or a backend. The limits sit far above what the benchmark's
// large policies need (bench/scale.py: 50,000 paths, 20,000 hosts, 33,000 syscall rules in
// 100,000 lines), so no legitimate policy meets them.
#pragma once

#include <cstddef>
#include <string_view>

#include "compiler/ast/ast.h"

namespace polc::sema {

struct Context;

enum class SizeKind { SyscallRules, FsPaths, NetEntries };

// Syscall rules after groups are expanded, one per syscall and target architecture.
inline constexpr size_t kMaxSyscallRules = 200'000;
// Filesystem rules: one per path of each access statement.
inline constexpr size_t kMaxFsPaths = 200'000;
// Network rules' hosts and port ranges (host sets expanded), at least one per rule.
inline constexpr size_t kMaxNetEntries = 200'000;

// Counts `count` more of `kind` for the statement at `at`. False, with E0007 reported (once per
// policy), when that passes the limit: the caller drops the statement, and lowering stops.
bool admit(Context& ctx, SizeKind kind, size_t count, ast::SourceRange at);

}  // namespace polc::sema
