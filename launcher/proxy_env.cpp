// Stage: launcher. egress.json's proxy and the payload's proxy variables.
//
// Why NO_PROXY is loopback only: a policy's domain rules are enforced by the proxy (it resolves
// and checks names), its address rules by nftables on direct connections. Requests to loopback
// (a local tool server such as python_agent's 127.0.0.1:8080) are address rules, so they must go
// direct; sent to the proxy they would be refused, or worse, reach the *proxy's* loopback, which
// may be another host's or namespace's services. Setting NO_PROXY never widens anything: every
// direct connection is still decided by nftables and Landlock. Other address rules are not added
// because NO_PROXY spellings of CIDRs differ between clients, and a request sent to the proxy
// by mistake fails closed.
#include "launcher/proxy_env.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "launcher/bundle_json.h"
#include "launcher/errors.h"

namespace polc::launcher {

namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Failure(ExitCode::BundleInvalid, "egress.json: " + message);
}

bool is_ipv6(const std::string& address) {
  in6_addr a6{};
  return inet_pton(AF_INET6, address.c_str(), &a6) == 1;
}

bool valid_proxy_address(const std::string& address) {
  in_addr a4{};
  if (inet_pton(AF_INET, address.c_str(), &a4) == 1 || is_ipv6(address)) return true;
  // A DNS name: letters, digits, '-', '.'; nothing that could change the URL's meaning.
  if (address.empty() || address.size() > 253 || address.front() == '-' || address.front() == '.') return false;
  return std::all_of(address.begin(), address.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

}  // namespace

std::optional<Proxy> parse_egress_proxy(std::string_view text) {
  nlohmann::json doc = parse_bundle_json(text, "egress.json");
  if (!doc.contains("format") || !doc["format"].is_string() || doc["format"].get<std::string>() != "polc.egress/1")
    invalid("format is not \"polc.egress/1\"");
  auto proxy = doc.find("proxy");
  if (proxy == doc.end() || proxy->is_null()) return std::nullopt;
  if (!proxy->is_object()) invalid("proxy is not an object");
  auto address = proxy->find("address");
  auto port = proxy->find("port");
  if (address == proxy->end() || !address->is_string()) invalid("proxy.address is missing or not a string");
  if (port == proxy->end() || !port->is_number_integer()) invalid("proxy.port is missing or not an integer");
  Proxy result;
  result.address = address->get<std::string>();
  if (!valid_proxy_address(result.address))
    invalid("proxy.address \"" + result.address + "\" is not an address or host name");
  int64_t p = port->get<int64_t>();
  if (p < 1 || p > 65535) invalid("proxy.port " + std::to_string(p) + " is out of range");
  result.port = static_cast<int>(p);
  return result;
}

std::vector<std::pair<std::string, std::string>> proxy_environment(const Proxy& proxy) {
  std::string host = is_ipv6(proxy.address) ? "[" + proxy.address + "]" : proxy.address;
  std::string url = "http://" + host + ":" + std::to_string(proxy.port);
  std::string no_proxy = "localhost,127.0.0.1,::1";
  // Clients differ in which spelling they read (curl prefers lowercase, many tools uppercase).
  return {{"HTTP_PROXY", url},  {"HTTPS_PROXY", url},   {"http_proxy", url},
          {"https_proxy", url}, {"NO_PROXY", no_proxy}, {"no_proxy", no_proxy}};
}

void apply_environment(const std::vector<std::pair<std::string, std::string>>& variables) {
  for (const auto& [name, value] : variables)
    if (setenv(name.c_str(), value.c_str(), 1) != 0)
      throw Failure(ExitCode::ApplyFailed, "cannot set " + name + " for the payload");
}

}  // namespace polc::launcher
