// Stage: launcher. Commit or discard (workspace_verdict.h).
#include "launcher/workspace_verdict.h"

#include <signal.h>
#include <string.h>

namespace polc::launcher {

namespace {

std::string signal_text(int sig) {
  const char* name = sigabbrev_np(sig);
  return "signal " + std::to_string(sig) + (name ? std::string(" (SIG") + name + ")" : std::string());
}

}  // namespace

WorkspaceVerdict decide_workspace(const os::Workspace& w, const RunObservation& run) {
  // Whatever the author chose: a process of the run that outlived the kill may still be writing
  // the upper layer (through the overlay its mount namespace keeps) while the commit reads it, so
  // what would be committed is neither the run's end state nor anything the run was seen to do.
  if (run.left_running > 0)
    return {false, std::to_string(run.left_running) + " process" + (run.left_running == 1 ? "" : "es") +
                       " of the run could not be killed"};
  if (w.discard_on_kill && run.signal) {
    std::string why = "the payload was killed by " + signal_text(*run.signal);
    if (run.time_limit_hit) why += " at the time limit";
    else if (run.oom_kills > 0) why += " by the OOM killer at the memory limit";
    return {false, why};
  }
  if (w.discard_on_failure && !run.signal && run.exit_code != 0)
    return {false, "the payload exited with status " + std::to_string(run.exit_code)};
  if (w.discard_on_refusal) {
    // The counted layers: those named, else every layer this run has.
    std::map<std::string, std::string> counted;
    if (w.refusal_layers.empty()) {
      counted = run.layers;
    } else {
      for (const std::string& name : w.refusal_layers) {
        const auto known = run.layers.find(name);
        counted[name] = known != run.layers.end() ? known->second : "this run does not read " + name + " refusals";
      }
    }
    for (const auto& [name, unknown] : counted) {
      for (size_t i = 0; i < telemetry::kLayerCount; ++i) {
        const uint64_t n = run.counts.refusals[i];
        if (n > 0 && name == telemetry::layer_name(static_cast<telemetry::Layer>(i)))
          return {false, std::to_string(n) + " " + name + " refusal" + (n == 1 ? "" : "s")};
      }
    }
    for (const auto& [name, unknown] : counted)
      if (!unknown.empty()) return {false, "whether " + name + " refused anything is unknown: " + unknown};
    if (run.counts.lost > 0)
      return {false,
              "the kernel lost " + std::to_string(run.counts.lost) + " telemetry records: refusals may be missing"};
  }
  return {true, ""};
}

}  // namespace polc::launcher
