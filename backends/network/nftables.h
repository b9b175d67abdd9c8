// Stage: backends/network. The nftables ruleset (nftables.nft) that enforces a policy's address and
// port rules in the sandbox's network namespace.
#pragma once

#include <string>

#include "compiler/ir/ir.h"

namespace polc::backends::network {

// The table's name: "polc_" and the policy's name, with anything nft would not read as part of an
// identifier replaced by '_'.
std::string nft_table_name(const std::string& policy_name);

// The whole nftables.nft file. Pure: the same policy always yields the same text.
std::string render_nftables(const ir::Policy& policy);

}  // namespace polc::backends::network
