// Stage: verify. Network requests, rules and regions as a policy writes them, for witnesses,
// counterexamples and diff entries: "connect tcp 22 to 10.0.0.1", "connect tcp 443 to
// \"x.example.org\"", "bind tcp 8080", "connect tcp 8000-8080 to any host".
#pragma once

#include <string>
#include <vector>

#include "compiler/verify/net_model.h"

namespace polc::verify {

// IPv4 for addresses inside ::ffff:0:0/96 ("10.0.0.1"), IPv6 otherwise ("2001:db8::1").
std::string address_text(const Addr128& a);
// "10.0.0.0/8", "10.0.0.1", "fd00::/8", "::1" (the prefix is left out for a single address).
std::string block_text(const Block& b);
// "443", "8000-8080", "25, 465", "any port".
std::string ports_text(const std::vector<ir::PortRange>& ports);

std::string request_text(const NetRequest& r);

// A short summary of a rule for notes: "connect tcp 443 to \"pypi.org\", 10.0.0.0/8",
// "deny connect tcp 25 to any host", "the implicit cloud-metadata deny".
std::string shape_text(const NetShape& s);

}  // namespace polc::verify
