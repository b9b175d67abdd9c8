// Stage: verify. Network texts (see net_text.h).
#include "compiler/verify/net_text.h"

#include <arpa/inet.h>

#include <array>

namespace polc::verify {

namespace {

std::array<uint8_t, 16> bytes_of(const Addr128& a) {
  std::array<uint8_t, 16> out{};
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<uint8_t>(a.hi >> (56 - 8 * i));
    out[8 + i] = static_cast<uint8_t>(a.lo >> (56 - 8 * i));
  }
  return out;
}

std::string host_list(const NetShape& s) {
  if (s.any_host) return "any host";
  std::vector<std::string> hosts;
  for (const Block& b : s.blocks) hosts.push_back(block_text(b));
  for (const ir::Host& d : s.domains) hosts.push_back("\"" + std::string(d.wildcard ? "*." : "") + d.domain + "\"");
  if (hosts.empty()) return "no host";
  constexpr size_t kShown = 3;
  std::string out;
  for (size_t i = 0; i < hosts.size() && i < kShown; ++i) out += (i ? ", " : "") + hosts[i];
  if (hosts.size() > kShown) out += " and " + std::to_string(hosts.size() - kShown) + " more";
  return out;
}

}  // namespace

std::string address_text(const Addr128& a) {
  const auto bytes = bytes_of(a);
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4_mapped(Block{a, 128})) inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
  else inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::string block_text(const Block& b) {
  if (b.prefix >= 96 && is_v4_mapped(b))
    return address_text(b.addr) + (b.prefix == 128 ? "" : "/" + std::to_string(b.prefix - 96));
  char buf[INET6_ADDRSTRLEN] = {};
  const auto bytes = bytes_of(b.addr);
  inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  return std::string(buf) + (b.prefix == 128 ? "" : "/" + std::to_string(b.prefix));
}

std::string ports_text(const std::vector<ir::PortRange>& ports) {
  if (ports.empty() || (ports.size() == 1 && ports[0].low <= 1 && ports[0].high == 65535)) return "any port";
  std::string out;
  for (const ir::PortRange& p : ports) {
    if (!out.empty()) out += ", ";
    out += std::to_string(p.low);
    if (p.high != p.low) out += "-" + std::to_string(p.high);
  }
  return out;
}

std::string request_text(const NetRequest& r) {
  std::string out = std::string(ir::direction_name(r.direction)) + " " + std::string(ir::proto_name(r.proto)) + " " +
                    std::to_string(r.port);
  switch (r.dest) {
    case NetRequest::Dest::None: break;
    case NetRequest::Dest::Address: out += " to " + address_text(r.addr); break;
    case NetRequest::Dest::Domain: out += " to \"" + r.domain + "\""; break;
  }
  return out;
}

std::string shape_text(const NetShape& s) {
  if (!s.rule) return "proxy " + host_list(s) + " port " + ports_text(s.ports);
  if (s.rule->implicit) return "the implicit cloud-metadata deny";
  std::string out = s.rule->deny ? "deny" : "";
  auto word = [&](std::string_view w) { out += (out.empty() ? "" : " ") + std::string(w); };
  if (s.direction != ir::Direction::Any) word(ir::direction_name(s.direction));
  if (s.proto != ir::Proto::Any) word(ir::proto_name(s.proto));
  const bool every_port = s.ports.size() == 1 && s.ports[0].low <= 1 && s.ports[0].high == 65535;
  if (!every_port) word(ports_text(s.ports));
  else if (!s.rule->deny) word("any");
  if (s.direction != ir::Direction::Bind) word("to " + host_list(s));
  return out;
}

}  // namespace polc::verify
