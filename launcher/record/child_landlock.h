// Stage: launcher (learning). The Landlock ruleset `polc learn --against` puts on the workload,
// so that the kernel, not only the recorder's emulation, decides its file accesses: what the
// recorder judges from names it read in the workload's memory (which a second thread can change,
// or a /proc magic link can redirect), Landlock decides on the file actually reached.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace polc::record {

struct ChildLandlock {
  uint64_t handled_fs = 0;  // LANDLOCK_ACCESS_FS_* bits restricted; 0: no ruleset at all
  // Paths and the rights granted beneath them (already restricted to `handled_fs`). A path that
  // does not exist when the workload starts is skipped, as sbx-exec skips it.
  std::vector<std::pair<std::string, uint64_t>> rules;
};

// In the forked child, before the notifying filter: creates the ruleset, adds each rule (the
// rights a file cannot carry dropped for a non-directory), and restricts the child to it. Only
// async-signal-safe calls; no allocation. Returns 0, or the errno of the step that failed.
int apply_child_landlock(const ChildLandlock& landlock);

}  // namespace polc::record
