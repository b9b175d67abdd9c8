// Stage: backends/network. The shared reading of a network rule for the three artifacts: its
// address blocks by family (normalized so that no block contains another), its domains, its
// merged port ranges, and the short texts that comments and coverage entries use.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/ir.h"

namespace polc::backends::network {

// Address blocks of one rule as text ("10.0.0.0/8", "127.0.0.1", "fd00::/64"), sorted by address,
// with every block that lies inside another one of the same list removed (nftables refuses
// overlapping intervals in a set, and the smaller block says nothing more).
struct AddressSets {
  std::vector<std::string> v4;
  std::vector<std::string> v6;
  bool empty() const { return v4.empty() && v6.empty(); }
};

// `wire_forms`: also list every IPv4-mapped IPv6 block (::ffff:a.b.c.d/96+) as the IPv4 block it
// maps. The kernel sends a connect to ::ffff:a.b.c.d from an IPv6 socket as an IPv4 packet to
// a.b.c.d, so only the IPv4 form can ever match a packet.
AddressSets address_sets(const std::vector<ir::Host>& hosts, bool wire_forms);

std::vector<ir::Host> domains_of(const std::vector<ir::Host>& hosts);
bool has_domains(const ir::NetRule& r);
bool has_addresses(const ir::NetRule& r);

// Sorted, with overlapping and adjacent ranges joined. Empty stays empty (every port).
std::vector<ir::PortRange> merged_ports(const std::vector<ir::PortRange>& ports);
// "25, 465, 8000-8080" (with `sep` between ranges; low-high for a range).
std::string ports_text(const std::vector<ir::PortRange>& ports, const std::string& sep = ", ");

// A CIDR with its prefix always written ("127.0.0.1/32"), for machine-read output.
std::string cidr_text(const ir::Host& h);

// Where a rule comes from, without the file path (artifacts must not depend on where the source was
// read from): "line 12", "std.net line 4", or sema's text for implicit rules.
std::string origin_label(const ir::Origin& o);

// The rule as a policy writes it, abbreviated: "deny connect tcp 25, 465 to any host",
// "connect tcp 443 to pypi.org, *.pythonhosted.org". Long host lists are shortened.
std::string rule_text(const ir::NetRule& r);
// Just the hosts part of rule_text ("any host", "10.0.0.0/8, pypi.org", "7 hosts: a, b, c, ...").
std::string hosts_text(const std::vector<ir::Host>& hosts);

}  // namespace polc::backends::network
