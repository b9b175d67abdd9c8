// Stage: launcher. The proxy environment the payload gets when the policy routes domains through
// an egress proxy (egress.json).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polc::launcher {

struct Proxy {
  std::string address;  // IPv4 or IPv6 literal, or a host name
  int port = 0;
};

// Reads `proxy` from egress.json (format polc.egress/1); nullopt when it has none. Other keys
// are for the proxy's own configuration and are not read. Throws Failure(BundleInvalid).
std::optional<Proxy> parse_egress_proxy(std::string_view json);

// The variables set for the payload, in a fixed order: HTTP_PROXY, HTTPS_PROXY, http_proxy,
// https_proxy (http://ADDR:PORT, IPv6 in brackets), NO_PROXY and no_proxy (loopback only).
std::vector<std::pair<std::string, std::string>> proxy_environment(const Proxy& proxy);

// setenv() each of them, replacing what the caller had.
void apply_environment(const std::vector<std::pair<std::string, std::string>>& variables);

}  // namespace polc::launcher
