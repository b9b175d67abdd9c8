// Stage: driver. What `polc eval` prints for one query: the decision, the statements that decide
// it (file:line:col and their source line), per layer: seccomp for a syscall (with what the
// compiled program returns), Landlock for rights on a path, the network section for a connect or
// bind. Decisions come from the evaluators `polc test` uses (ir::decide, ir::decide_fs,
// ir::decide_net through verify::run_expectation), so the two never disagree.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "backends/seccomp/emit.h"
#include "compiler/arch/arch.h"
#include "compiler/diag/source_manager.h"
#include "compiler/ir/ir.h"

namespace polc::driver {

struct EvalReport {
  std::string text;
  nlohmann::json json = nlohmann::json::array();  // one object per target, right group or request
};

// A syscall query: one result per architecture of the expectations (restricted to `wanted`
// unless empty). `number`: the query asked by number, which the text says it maps to on each
// architecture; `number_missing`: targets that lack the number, which the text names.
EvalReport explain_syscall(const diag::SourceManager& sources, const ir::Policy& policy,
                           const backends::seccomp::SeccompArtifacts& filters,
                           const std::vector<const ir::Expectation*>& expectations,
                           const std::vector<arch::Arch>& wanted, std::optional<uint64_t> number,
                           const std::vector<arch::Arch>& number_missing);

// A filesystem query: the rights of the query grouped by what decides them.
EvalReport explain_fs(const diag::SourceManager& sources, const ir::Policy& policy, const ir::Expectation& e);

// A network query: one result per request the query names (a port range or a missing host names
// several, cut where the rules' decisions change).
EvalReport explain_net(const diag::SourceManager& sources, const ir::Policy& policy, const ir::Expectation& e);

}  // namespace polc::driver
