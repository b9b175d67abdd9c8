// Stage: backends/network. Address, domain and port helpers shared by the nftables, squid and
// egress writers (see host_sets.h).
#include "backends/network/host_sets.h"

#include <algorithm>

namespace polc::backends::network {

namespace {

// Bytes of a block in one family, with the bits below the prefix cleared.
struct Block {
  std::array<uint8_t, 16> addr{};
  unsigned prefix = 0;
  unsigned bits = 32;  // 32 for IPv4, 128 for IPv6
};

Block masked(const ir::Host& h) {
  Block b;
  b.bits = h.kind == ir::HostKind::V4 ? 32 : 128;
  b.prefix = h.prefix;
  b.addr = h.addr;
  for (unsigned i = 0; i < b.bits / 8; ++i) {
    const unsigned first = i * 8;
    if (first >= b.prefix) b.addr[i] = 0;
    else if (first + 8 > b.prefix) b.addr[i] &= static_cast<uint8_t>(0xff << (8 - (b.prefix - first)));
  }
  return b;
}

bool contains(const Block& outer, const Block& inner) {
  if (outer.prefix > inner.prefix) return false;
  for (unsigned bit = 0; bit < outer.prefix; ++bit) {
    const unsigned byte = bit / 8, shift = 7 - bit % 8;
    if (((outer.addr[byte] >> shift) & 1) != ((inner.addr[byte] >> shift) & 1)) return false;
  }
  return true;
}

// ::ffff:0:0/96, the IPv4-mapped IPv6 addresses.
const Block kMappedBlock = [] {
  Block b;
  b.bits = 128;
  b.prefix = 96;
  b.addr[10] = b.addr[11] = 0xff;
  return b;
}();

bool is_v4_mapped(const ir::Host& h) {
  if (h.kind != ir::HostKind::V6 || h.prefix < 96) return false;
  for (int i = 0; i < 10; ++i)
    if (h.addr[i] != 0) return false;
  return h.addr[10] == 0xff && h.addr[11] == 0xff;
}

std::string block_text(const Block& b) {
  ir::Host h;
  h.kind = b.bits == 32 ? ir::HostKind::V4 : ir::HostKind::V6;
  h.addr = b.addr;
  h.prefix = static_cast<uint8_t>(b.prefix);
  return ir::host_to_string(h);
}

// Sorted by address, then widest first, so that a block that contains later ones is kept first;
// blocks are either nested or disjoint, so checking against the last kept block is enough.
std::vector<std::string> normalized(std::vector<Block> blocks) {
  std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) {
    if (a.addr != b.addr) return a.addr < b.addr;
    return a.prefix < b.prefix;
  });
  std::vector<Block> kept;
  for (const Block& b : blocks)
    if (kept.empty() || !contains(kept.back(), b)) kept.push_back(b);
  std::vector<std::string> out;
  for (const Block& b : kept) out.push_back(block_text(b));
  return out;
}

}  // namespace

AddressSets address_sets(const std::vector<ir::Host>& hosts, bool wire_forms) {
  std::vector<Block> v4, v6;
  for (const ir::Host& h : hosts) {
    if (h.kind == ir::HostKind::V4) v4.push_back(masked(h));
    if (h.kind != ir::HostKind::V6) continue;
    v6.push_back(masked(h));
    if (wire_forms && h.prefix < 96 && contains(masked(h), kMappedBlock)) {
      // A block wider than ::ffff:0:0/96 that contains it (::/0, ::/64) covers every
      // IPv4-mapped address, which the kernel sends as IPv4: all of IPv4 too.
      v4.push_back(Block{});
    } else if (wire_forms && is_v4_mapped(h)) {
      ir::Host mapped;
      mapped.kind = ir::HostKind::V4;
      std::copy(h.addr.begin() + 12, h.addr.end(), mapped.addr.begin());
      mapped.prefix = static_cast<uint8_t>(h.prefix - 96);
      v4.push_back(masked(mapped));
    }
  }
  return {normalized(std::move(v4)), normalized(std::move(v6))};
}

std::vector<ir::Host> domains_of(const std::vector<ir::Host>& hosts) {
  std::vector<ir::Host> out;
  for (const ir::Host& h : hosts)
    if (h.kind == ir::HostKind::Domain && std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
  return out;
}

bool has_domains(const ir::NetRule& r) {
  return std::any_of(r.hosts.begin(), r.hosts.end(), [](const ir::Host& h) { return h.kind == ir::HostKind::Domain; });
}

bool has_addresses(const ir::NetRule& r) {
  return std::any_of(r.hosts.begin(), r.hosts.end(),
                     [](const ir::Host& h) { return h.kind == ir::HostKind::V4 || h.kind == ir::HostKind::V6; });
}

std::vector<ir::PortRange> merged_ports(const std::vector<ir::PortRange>& ports) {
  std::vector<ir::PortRange> sorted = ports;
  std::sort(sorted.begin(), sorted.end());
  std::vector<ir::PortRange> out;
  for (const ir::PortRange& p : sorted) {
    if (!out.empty() && uint32_t{p.low} <= uint32_t{out.back().high} + 1) {
      out.back().high = std::max(out.back().high, p.high);
      continue;
    }
    out.push_back(p);
  }
  return out;
}

std::string ports_text(const std::vector<ir::PortRange>& ports, const std::string& sep) {
  std::string out;
  for (const ir::PortRange& p : ports) {
    if (!out.empty()) out += sep;
    out += std::to_string(p.low);
    if (p.high != p.low) out += "-" + std::to_string(p.high);
  }
  return out;
}

std::string cidr_text(const ir::Host& h) {
  const std::string text = ir::host_to_string(h);
  if (text.find('/') != std::string::npos) return text;
  return text + "/" + std::to_string(h.prefix);
}

std::string origin_label(const ir::Origin& o) {
  const auto colon = o.where.rfind(':');
  // Sema writes "file:line" for written statements; anything else (implicit rules) is kept as is.
  const bool has_line = colon != std::string::npos && colon + 1 < o.where.size() &&
                        std::all_of(o.where.begin() + static_cast<long>(colon) + 1, o.where.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
  if (!has_line) return o.where.empty() ? "unknown origin" : o.where;
  const std::string line = "line " + o.where.substr(colon + 1);
  return o.module.empty() ? line : o.module + " " + line;
}

std::string hosts_text(const std::vector<ir::Host>& hosts) {
  if (hosts.empty()) return "any host";
  constexpr size_t kShown = 4;
  std::string out;
  for (size_t i = 0; i < hosts.size() && i < kShown; ++i) out += (i ? ", " : "") + ir::host_to_string(hosts[i]);
  if (hosts.size() > kShown) out = std::to_string(hosts.size()) + " hosts: " + out + ", ...";
  return out;
}

std::string rule_text(const ir::NetRule& r) {
  std::string out = r.deny ? "deny" : "";
  auto word = [&out](std::string_view w) {
    if (!out.empty()) out += " ";
    out += w;
  };
  if (r.direction != ir::Direction::Any) word(ir::direction_name(r.direction));
  if (r.proto != ir::Proto::Any) word(ir::proto_name(r.proto));
  // A deny rule without ports says nothing about them; an allow rule must have said `any`.
  if (!r.ports.empty()) word(ports_text(merged_ports(r.ports)));
  else if (!r.deny) word("any port");
  if (r.direction != ir::Direction::Bind) word("to " + hosts_text(r.hosts));
  return out;
}

}  // namespace polc::backends::network
