// Stage: sema. Values, conditions and actions of syscall rules, resolved for one architecture:
// constants become numbers at the argument's width, argument names become indexes, signed
// comparisons become the unsigned comparisons seccomp performs.
#pragma once

#include <optional>
#include <string_view>

#include "compiler/sema/context.h"

namespace polc::sema {

// Evaluates a constant expression (integers, named constants, `const` definitions, -, |, &).
// `negative` reports whether the value was written negative. Reports errors; nullopt on error.
std::optional<ConstValue> eval_constant(Context& ctx, const ast::Expr& e, arch::Arch arch);

// Resolves a rule or assertion condition on `syscall` for `arch`. The args of one target are
// joined with `&&`.
std::optional<ir::BoolExpr> resolve_condition(Context& ctx, const ast::SyscallTarget& target, arch::Arch arch);

// Resolves positional test arguments (`socket(AF_INET, SOCK_STREAM, 0)`) for `arch`, truncated to
// each argument's width.
std::optional<std::vector<uint64_t>> resolve_call_args(Context& ctx, const ast::SyscallTarget& target, arch::Arch arch);

// `trailing` is a rule's `deny x errno(E)` value (may be null).
std::optional<ir::Action> resolve_action(Context& ctx, const ast::Action& action, const ast::Expr* trailing,
                                         ast::SourceRange trailing_range, arch::Arch arch);

}  // namespace polc::sema
