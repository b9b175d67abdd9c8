// Stage: backends (shared vocabulary). How nftables.nft reports the packets its drop rules refuse:
// each drop is preceded by a `log group` rule whose prefix names the statement, and the bundle's
// attribution.json maps the prefixes back to statements (compiler/bundle/attribution.cpp). Spelt
// here once, for the nftables emitter and the attribution both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace polc::backends {

// The nfnetlink_log group the drops are logged to (what a launcher binds to read them). Any group
// number works; 27 is unlikely to collide with a host's own ulogd setup, which uses the low ones.
inline constexpr uint32_t kNflogGroup = 27;

// Deny rule `rule` (its 0-based index in ir::Network::rules) logs with "polc <rule> ", the final
// catch-all drop with "polc default ". The trailing space ends the number, so that a reader that
// matches by prefix never takes "polc 12 " for rule 1.
inline std::string nflog_prefix(size_t rule) { return "polc " + std::to_string(rule) + " "; }
inline constexpr const char* kNflogDefaultPrefix = "polc default ";

}  // namespace polc::backends
