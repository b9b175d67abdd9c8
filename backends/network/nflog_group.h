// Stage: backends/network, shared with the launcher's telemetry. How nftables.nft reports what it
// refuses: every drop the chain makes first logs the packet to nfnetlink_log group kNflogGroup with
// a prefix naming the rule, so that sbx-exec (reading that group inside the sandbox's network
// namespace) can attribute the refusal. Header-only: the launcher includes it without linking
// anything of the compiler.
//
// The prefix convention (docs/backends/network.md): "polc K " for the deny rule at index K (0-based)
// of ir::Policy::network.rules, in the IR's order, and "polc default " for the chain's final drop.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace polc::backends::network {

// The nfnetlink_log group polc's rulesets log refused packets to.
inline constexpr uint16_t kNflogGroup = 27;

// Bytes of each refused packet the log statement hands to nfnetlink_log: enough for the IPv4 or
// IPv6 header and the transport header, never the payload.
inline constexpr unsigned kNflogSnaplen = 128;

inline constexpr std::string_view kNflogPrefixHead = "polc ";
inline constexpr std::string_view kNflogDefaultWord = "default";

// The prefix of deny rule `index`, or of the final drop: "polc 3 ", "polc default ".
inline std::string nflog_rule_prefix(size_t index) {
  return std::string(kNflogPrefixHead) + std::to_string(index) + " ";
}
inline std::string nflog_default_prefix() {
  return std::string(kNflogPrefixHead) + std::string(kNflogDefaultWord) + " ";
}

// What a prefix names: the final drop, or the deny rule at `index`. nullopt for anything that does
// not follow the convention exactly (another ruleset logging to the same group, say).
struct NflogRuleId {
  bool is_default = false;
  size_t index = 0;
};

inline std::optional<NflogRuleId> parse_nflog_prefix(std::string_view prefix) {
  if (prefix.size() < kNflogPrefixHead.size() + 2 || prefix.substr(0, kNflogPrefixHead.size()) != kNflogPrefixHead ||
      prefix.back() != ' ')
    return std::nullopt;
  const std::string_view word = prefix.substr(kNflogPrefixHead.size(), prefix.size() - kNflogPrefixHead.size() - 1);
  if (word == kNflogDefaultWord) return NflogRuleId{true, 0};
  if (word.size() > 1 && word[0] == '0') return std::nullopt;  // one spelling per index
  size_t index = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), index);
  if (ec != std::errc() || end != word.data() + word.size()) return std::nullopt;
  return NflogRuleId{false, index};
}

}  // namespace polc::backends::network
