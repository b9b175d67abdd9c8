// Stage: backends/network. The squid configuration (squid.conf) of the egress proxy that enforces a
// policy's domain rules.
#pragma once

#include <string>

#include "compiler/ir/ir.h"

namespace polc::backends::network {

// The regular expression (POSIX extended, matched case-insensitively against the request's host)
// for the strict subdomains of `domain`: "^([^.]+\.)+example\.org$".
std::string wildcard_regex(const std::string& domain);

// The whole squid.conf. Requires policy.network.proxy. Pure: the same policy yields the same text.
std::string render_squid(const ir::Policy& policy);

}  // namespace polc::backends::network
