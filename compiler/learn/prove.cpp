// Stage: learn. The draft's proof (see prove.h).
#include "compiler/learn/prove.h"

#include "compiler/learn/compile_text.h"
#include "compiler/learn/replay.h"
#include "compiler/verify/fs_diff.h"
#include "compiler/verify/net_diff.h"
#include "compiler/verify/syscall_diff.h"

namespace polc::learn {

Proof prove(const std::string& draft_text, const Recording& rec, const ProveOptions& options) {
  Proof proof;
  // The backend check runs the verifier itself (as `polc check` does); without one, run it here.
  auto compiled = compile_text(draft_text, "learned.sbx", /*verify=*/!options.backend_check);
  if (compiled->policy && options.backend_check) options.backend_check(*compiled->policy, compiled->engine);
  for (const std::string& line : diagnostic_lines(*compiled)) proof.problems.push_back("check --strict: " + line);
  if (!compiled->policy) return proof;
  const ir::Policy& draft = *compiled->policy;

  for (const auto& [event, seen] : rec.events) {
    if (options.left_out && options.left_out->count(event)) continue;
    if (auto why = refusal(draft, event)) proof.problems.push_back("refused: " + observation_text(event) + " (" + *why + ")");
  }

  if (options.within) {
    for (auto* part : {&verify::diff_syscalls, &verify::diff_filesystem, &verify::diff_network})
      for (const verify::DiffEntry& e : (*part)(*options.within, draft))
        if (e.widened)
          proof.problems.push_back("beyond the boundary: " + e.region + " (for example " + e.witness + ": " +
                                   e.old_decision + " there, " + e.new_decision + " here)");
  }
  proof.ok = proof.problems.empty();
  return proof;
}

}  // namespace polc::learn
