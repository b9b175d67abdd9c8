// Stage: backends/network. egress.json: the policy's outgoing-TCP rules in a launcher-neutral form,
// for any egress proxy other than squid.
#pragma once

#include <string>

#include "compiler/ir/ir.h"

namespace polc::backends::network {

// The whole egress.json (format "polc.egress/1", documented in docs/backends/network.md): sorted
// keys, indent 2, a trailing newline. Requires policy.network.proxy.
std::string render_egress(const ir::Policy& policy);

}  // namespace polc::backends::network
