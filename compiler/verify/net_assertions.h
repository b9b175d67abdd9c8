// Stage: verify. `assert never|always connect|bind tcp|udp [PORT] [to HOST]` proved over every
// request of the query's region: every port when none is written, every destination (addresses
// and domains) when no host is, every address of a CIDR block, every strict subdomain of a
// wildcard. `never` holds when the policy allows no request of the region, `always` when it
// allows every one. A failing assertion carries one request as a policy writes it, the decision,
// and the rules that decide it.
#pragma once

#include "compiler/ir/ir.h"
#include "compiler/verify/outcome.h"

namespace polc::verify {

AssertionOutcome prove_net(const ir::Policy& policy, const ir::Assertion& assertion);

}  // namespace polc::verify
