// Stage: learn. A Recording of refusals read from sbx-exec's telemetry events (`--events`, one
// polc.event/1 object per line; docs/telemetry.md), for `polc learn --from EVENTS policy.sbx`.
#pragma once

#include <optional>
#include <string>

#include "compiler/learn/recording.h"

namespace polc::learn {

// Every `refusal` line becomes a refused event of run 1: seccomp (the call, without arguments:
// audit records none), landlock (one file access per missing right; for the make_*, remove_* and
// refer rights the event names the directory Landlock checked, which becomes an entry "DIR/*" in
// it), nftables (a connect to the address and port) and proxy (a connect to the domain). Other
// lines (dropped, lost, notice, the launcher's guard) are skipped and counted in `skipped`.
// nullopt and `error` ("line N: ...") on a line that is not a polc.event/1 object.
std::optional<Recording> recording_from_events(const std::string& text, std::string& error, size_t& skipped);

// The entry name events_import gives to "an entry in this directory".
inline constexpr std::string_view kAnyEntry = "*";

}  // namespace polc::learn
