// Stage: sema. Address, domain and port validation.
#include "compiler/sema/net_values.h"

#include <arpa/inet.h>

#include <cctype>

namespace polc::sema {

using diag::Code;

namespace {

// Parses "addr" or "addr/prefix". `is_v6` tells which family parsed. nullopt when malformed.
std::optional<ir::Host> parse_address(const std::string& text) {
  ir::Host h;
  std::string addr = text;
  std::optional<unsigned> prefix;
  if (auto slash = text.find('/'); slash != std::string::npos) {
    addr = text.substr(0, slash);
    const std::string p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3 ||
        !std::all_of(p.begin(), p.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return std::nullopt;
    prefix = static_cast<unsigned>(std::stoul(p));
  }
  if (inet_pton(AF_INET, addr.c_str(), h.addr.data()) == 1) {
    h.kind = ir::HostKind::V4;
    if (prefix.value_or(32) > 32) return std::nullopt;
    h.prefix = static_cast<uint8_t>(prefix.value_or(32));
    return h;
  }
  if (inet_pton(AF_INET6, addr.c_str(), h.addr.data()) == 1) {
    h.kind = ir::HostKind::V6;
    if (prefix.value_or(128) > 128) return std::nullopt;
    h.prefix = static_cast<uint8_t>(prefix.value_or(128));
    return h;
  }
  return std::nullopt;
}

// Clears the bits below the prefix; true when that changed anything.
bool clear_host_bits(ir::Host& h) {
  const unsigned total = h.kind == ir::HostKind::V4 ? 32 : 128;
  bool changed = false;
  for (unsigned bit = h.prefix; bit < total; ++bit) {
    uint8_t& byte = h.addr[bit / 8];
    const uint8_t m = static_cast<uint8_t>(0x80u >> (bit % 8));
    if (byte & m) {
      byte = static_cast<uint8_t>(byte & ~m);
      changed = true;
    }
  }
  return changed;
}

// Meant as an address: digits, dots and a prefix (IPv4), or anything with a colon, which no
// domain name contains (IPv6).
bool looks_like_address(const std::string& s) {
  if (s.find(':') != std::string::npos) return true;
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '/';
  });
}

std::optional<ir::Host> parse_domain(Context& ctx, const ast::HostRef& ref) {
  std::string d = ref.text;
  ir::Host h;
  h.kind = ir::HostKind::Domain;
  if (d.rfind("*.", 0) == 0) {
    h.wildcard = true;
    d = d.substr(2);
  }
  auto bad = [&](const std::string& why) -> std::optional<ir::Host> {
    ctx.diags.report(Code::MalformedDomain, ref.range, "\"" + ref.text + "\" is not a valid domain: " + why)
        .with_help("write a domain like \"example.org\", or \"*.example.org\" for all its subdomains");
    return std::nullopt;
  };
  if (d.empty()) return bad("it is empty");
  if (d.size() > 253) return bad("it is longer than 253 characters");
  if (d.find('*') != std::string::npos)
    return bad("`*` is allowed only as a whole first label, as in \"*.example.org\"");
  if (d.back() == '.') return bad("remove the trailing dot");
  size_t start = 0;
  while (start <= d.size()) {
    const size_t end = std::min(d.find('.', start), d.size());
    const std::string label = d.substr(start, end - start);
    if (label.empty()) return bad("it has an empty label");
    if (label.size() > 63) return bad("label `" + label + "` is longer than 63 characters");
    if (label.front() == '-' || label.back() == '-') return bad("label `" + label + "` starts or ends with `-`");
    for (char c : label) {
      if (std::isupper(static_cast<unsigned char>(c))) {
        std::string lower = ref.text;
        for (char& x : lower) x = static_cast<char>(std::tolower(static_cast<unsigned char>(x)));
        ctx.diags.report(Code::MalformedDomain, ref.range, "domain \"" + ref.text + "\" must be lowercase")
            .with_help("write \"" + lower + "\"")
            .fix(ref.range, "\"" + lower + "\"");
        return std::nullopt;
      }
      if (static_cast<unsigned char>(c) >= 0x80)
        return bad("it has non-ASCII characters; write internationalized names in their xn-- (punycode) form");
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
        return bad(std::string("character `") + c + "` is not allowed");
    }
    start = end + 1;
  }
  // Resolvers that use inet_aton read "0xa9fea9fe" or "2852039166" as 169.254.169.254: a name
  // like that would slip an address past every address rule.
  in_addr legacy{};
  if (inet_aton(d.c_str(), &legacy) != 0) return bad("it is an IPv4 address in a legacy numeric form");
  h.domain = d;
  return h;
}

}  // namespace

std::optional<ir::Host> parse_host(Context& ctx, const ast::HostRef& ref) {
  if (ref.kind == ast::HostKind::Any) return ir::Host{};
  const bool address_token = ref.kind == ast::HostKind::Address;
  if (address_token || looks_like_address(ref.text)) {
    auto h = parse_address(ref.text);
    if (!h) {
      ctx.diags.report(Code::MalformedAddress, ref.range, "`" + ref.text + "` is not a valid IP address or CIDR block")
          .with_help("write an IPv4 or IPv6 address, optionally with a prefix length like 10.0.0.0/8");
      return std::nullopt;
    }
    if (clear_host_bits(*h)) {
      const std::string fixed = ir::host_to_string(*h);
      ctx.diags
          .report(Code::MalformedAddress, ref.range,
                  "`" + ref.text + "` has bits set below its /" + std::to_string(h->prefix) + " prefix")
          .with_help("the network address is " + fixed)
          .fix(ref.range, fixed);
      return std::nullopt;
    }
    return h;
  }
  return parse_domain(ctx, ref);
}

std::optional<ir::PortRange> check_port(Context& ctx, const ast::PortRange& p) {
  if (p.low < 1 || p.low > 65535 || p.high < 1 || p.high > 65535) {
    ctx.diags.report(Code::BadPort, p.range, "ports are numbers from 1 to 65535");
    return std::nullopt;
  }
  if (p.low > p.high) {
    ctx.diags
        .report(Code::BadPort, p.range,
                "port range " + std::to_string(p.low) + "-" + std::to_string(p.high) + " is empty")
        .with_help("write the lower port first");
    return std::nullopt;
  }
  return ir::PortRange{static_cast<uint16_t>(p.low), static_cast<uint16_t>(p.high)};
}

}  // namespace polc::sema
