// Stage: sema. Syscall names resolved per target architecture, shared by rules and queries.
#pragma once

#include <string>
#include <vector>

#include "compiler/sema/context.h"

namespace polc::sema {

struct ArchSyscall {
  arch::Arch arch;
  int nr;
};

// The syscall numbers of `name` on each of ctx.targets that has it. Reports E0201 when no
// architecture knows the name (returns empty) and, when `report_missing` and not `optional`, one
// E0202 naming the targets that lack it.
std::vector<ArchSyscall> resolve_syscall_name(Context& ctx, const std::string& name, bool optional,
                                              ast::SourceRange range, bool report_missing);

// Checks every group's members: unknown names (E0201) and members a target lacks (E0202).
void check_groups(Context& ctx);

}  // namespace polc::sema
