// Stage: launcher telemetry. The payload's addresses as the proxy sees them (proxy_clients.h).
#include "launcher/telemetry/proxy_clients.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <system_error>

namespace polc::telemetry {

namespace {

using Address = std::array<unsigned char, 16>;

// IPv4 as its IPv4-mapped IPv6 form, so that both spellings compare equal.
std::optional<Address> parse(std::string_view text) {
  const std::string s(text);
  Address a{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    a[10] = a[11] = 0xff;
    std::memcpy(a.data() + 12, &v4, 4);
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.data()) == 1) return a;
  return std::nullopt;
}

bool is_loopback(const Address& a) {
  static constexpr Address kV6Loopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const bool v4 =
      std::all_of(a.begin(), a.begin() + 10, [](unsigned char b) { return b == 0; }) && a[10] == 0xff && a[11] == 0xff;
  return (v4 && a[12] == 127) || a == kV6Loopback;
}

}  // namespace

ClientAddresses::ClientAddresses(const std::vector<std::string>& addresses) {
  for (const std::string& text : addresses) {
    const auto a = parse(text);
    if (!a) throw std::invalid_argument("not an IPv4 or IPv6 address: " + text);
    addresses_.push_back(*a);
  }
}

bool ClientAddresses::contains(std::string_view address) const {
  const auto a = parse(address);
  return a && std::find(addresses_.begin(), addresses_.end(), *a) != addresses_.end();
}

std::vector<std::string> namespace_addresses() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) throw std::system_error(errno, std::generic_category(), "getifaddrs");
  std::vector<std::string> out;
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (i->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr, text, sizeof text);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr, text, sizeof text);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), text) == out.end()) out.emplace_back(text);
  }
  freeifaddrs(list);
  return out;
}

std::vector<std::string> payload_proxy_clients(const std::string& proxy_address) {
  const std::vector<std::string> here = namespace_addresses();
  const auto proxy = parse(proxy_address);
  bool proxy_here = proxy && is_loopback(*proxy);
  for (const std::string& text : here) proxy_here = proxy_here || (proxy && parse(text) == proxy);
  std::vector<std::string> out;
  for (const std::string& text : here) {
    const auto a = parse(text);
    if (a && (proxy_here || !is_loopback(*a))) out.push_back(text);
  }
  return out;
}

}  // namespace polc::telemetry
