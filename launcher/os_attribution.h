// Stage: launcher. The statements behind the OS layer, from the bundle's attribution.json (its
// "os" section, signed with the bundle): each limit by name, each mount by kind and path, each
// workspace by path. The supervisor attributes the limits' events with them.
#pragma once

#include <map>
#include <string>

#include "compiler/bundle/attribution_schema.h"
#include "launcher/os/os_spec.h"
#include "launcher/telemetry/event.h"

namespace polc::launcher {

// Keyed by the limit's name as the policy spells it ("memory", "memory_swap", "tasks", "cpu",
// "time", "open_files", "file_size", "core_dumps"), "KIND PATH" for a mount, the path for a
// workspace. Empty when the bundle's attribution has no os section. Fills each mount's and
// workspace's `at` in `spec` too (the mounts' messages name their statements).
std::map<std::string, telemetry::RuleRef> os_rules(const bundle::Attribution& attribution, os::OsSpec& spec);

}  // namespace polc::launcher
