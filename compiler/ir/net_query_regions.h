// Stage: ir. A network query of a test names a set of requests: a port range (every port when it
// names none) and, for a connect, every destination when it names no host (every address and
// every domain name), every address of a block, or every subdomain of a wildcard. Deciding each
// request would mean up to 65535 ports times 2^128 addresses, so the set is cut into regions on
// which every rule of the policy matches all requests or none, and one request per region stands
// for it: a property holds for every request of the query exactly when it holds for these.
#pragma once

#include <vector>

#include "compiler/ir/evaluate_access.h"

namespace polc::ir {

// One request per region of `query` against the rules (and the proxy endpoint) of `net`, ports
// ascending. Destinations are cut at every rule's address blocks (one address of each block that
// is not inside a smaller block, plus one outside them all) and at every name and wildcard the
// rules list (the name itself, a fresh subdomain of each wildcard, and a name no rule lists); then
// for each destination, the query's ports are cut at the port bounds of the rules that can match
// it: the count is the sum over destinations of the bounds that matter there, not every
// destination times every bound.
std::vector<NetRequest> representative_requests(const Network& net, const NetQuery& query);

}  // namespace polc::ir
