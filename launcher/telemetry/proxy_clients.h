// Stage: launcher telemetry. Which of the proxy's clients is the payload. The egress proxy may
// serve other sandboxes and other hosts too; its log names each request's source address, and
// only requests from the payload's addresses become this run's events.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace polc::telemetry {

// A set of IPv4 and IPv6 addresses, compared as addresses: "10.0.0.2" and "::ffff:10.0.0.2"
// (how a dual-stack listener may see an IPv4 client) are the same client.
class ClientAddresses {
 public:
  // Throws std::invalid_argument naming the first text that is not an address literal.
  explicit ClientAddresses(const std::vector<std::string>& addresses);
  bool contains(std::string_view address) const;
  bool empty() const { return addresses_.empty(); }

 private:
  std::vector<std::array<unsigned char, 16>> addresses_;
};

// The addresses of every interface in the calling process's network namespace (getifaddrs), as
// text, IPv6 link-local ones without their zone. In the payload's namespace these are the
// addresses its connections to the proxy come from: loopback only for a fresh namespace, the
// veth end for a joined one. Throws std::system_error when the kernel cannot list them.
std::vector<std::string> namespace_addresses();

// The addresses the payload's requests reach a proxy at `proxy_address` (egress.json's) from, for
// a supervisor that has entered the payload's namespace and was given none: the namespace's own
// addresses; its loopback ones only when the proxy is in the namespace too (a loopback proxy
// address, or one of the namespace's), since a proxy elsewhere never sees the payload's loopback
// and a 127.0.0.1 in its log is some other process on the proxy's host.
std::vector<std::string> payload_proxy_clients(const std::string& proxy_address);

}  // namespace polc::telemetry
