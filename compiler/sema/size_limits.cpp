// Stage: sema. E0007: the policy is larger than polc's documented size (see size_limits.h).
#include "compiler/sema/size_limits.h"

#include <string>

#include "compiler/sema/context.h"

namespace polc::sema {

bool admit(Context& ctx, SizeKind kind, size_t count, ast::SourceRange at) {
  if (ctx.over_size_limit) return false;
  size_t* used = nullptr;
  size_t limit = 0;
  const char* what = "";
  const char* help = "";
  switch (kind) {
    case SizeKind::SyscallRules:
      used = &ctx.size_used.syscall_rules, limit = kMaxSyscallRules,
      what = "syscall rules (one per syscall and target)";
      help = "merge rules with `arg in {...}` sets, or split the policy: no sandbox needs this many rules";
      break;
    case SizeKind::FsPaths:
      used = &ctx.size_used.fs_paths, limit = kMaxFsPaths, what = "filesystem paths";
      help = "grant a common parent directory instead of each file beneath it";
      break;
    case SizeKind::NetEntries:
      used = &ctx.size_used.net_entries, limit = kMaxNetEntries, what = "network hosts and port ranges";
      help = "use address blocks (10.0.0.0/8) and port ranges (1000-2000) instead of single hosts and ports";
      break;
  }
  if (*used + count <= limit) {
    *used += count;
    return true;
  }
  ctx.over_size_limit = true;
  ctx.diags
      .report(diag::Code::PolicyTooLarge, at,
              std::string("the policy has more than ") + std::to_string(limit) + " " + what +
                  "; polc refuses it rather than spend unbounded time and memory on it")
      .with_help(help);
  return false;
}

}  // namespace polc::sema
