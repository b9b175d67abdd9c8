// Stage: sema. Network values: addresses and CIDRs, domain names, ports.
#pragma once

#include <optional>

#include "compiler/sema/context.h"

namespace polc::sema {

// Parses a host reference that is not an @set: an address/CIDR token, a quoted string holding an
// address or a domain, or `any`. Reports E0401/E0402.
std::optional<ir::Host> parse_host(Context& ctx, const ast::HostRef& ref);

// Reports E0403 for ports outside 1..65535 or inverted ranges.
std::optional<ir::PortRange> check_port(Context& ctx, const ast::PortRange& p);

}  // namespace polc::sema
