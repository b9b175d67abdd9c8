// Stage: learn. What a compiled policy decides for one recorded observation, by the IR's reference
// evaluator (ir::decide, ir::decide_fs, ir::decide_net): the replay behind the prover, and the
// boundary check of a draft made `within` another policy.
//
// - Call: allowed when the decision is allow or log (as `assert always` counts it).
// - FileAccess: the right's bit on the path, or on its parent directory for make_*, remove_* and
//   refer (where Landlock checks them). Exec: execute on the path.
// - Endpoint tcp/udp with a port: Connect and Send are connects, Bind a bind. unix endpoints and
//   port 0 have nothing a policy decides: allowed.
// - NameLookup: nothing a policy decides (the query's packet is the udp 53 Endpoint): allowed.
#pragma once

#include <optional>
#include <string>

#include "compiler/ir/ir.h"
#include "compiler/learn/recording.h"

namespace polc::learn {

// nullopt when `policy` allows the observation; otherwise why not ("errno(1)", "not granted").
std::optional<std::string> refusal(const ir::Policy& policy, const Event& event);

// The observation as one line of a report: "x86_64 socket(2, 1, 0)", "read_file /etc/passwd",
// "connect tcp 127.0.0.1 port 8080", "lookup example.org". Paths are printable_path()ed.
std::string observation_text(const Event& event);

}  // namespace polc::learn
