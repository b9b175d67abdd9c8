// Stage: ir. Concrete evaluation of the filesystem and network sections (see evaluate_access.h).
#include "compiler/ir/evaluate_access.h"

#include <arpa/inet.h>

#include <algorithm>

namespace polc::ir {

// ---- filesystem ----

bool beneath(std::string_view path, std::string_view rule_path) {
  if (rule_path == "/" || path == rule_path) return true;
  return path.size() > rule_path.size() && path.starts_with(rule_path) && path[rule_path.size()] == '/';
}

namespace {
void add_origins(std::vector<Origin>& out, const std::vector<Origin>& more) {
  out.insert(out.end(), more.begin(), more.end());
}
}  // namespace

FsDecision decide_fs(const Filesystem& fs, std::string_view path, uint64_t right) {
  FsDecision d;
  if (!fs.present) return d;
  if ((fs.handled & right) == 0) {
    d.reason = FsDecision::Reason::Unhandled;
    d.deciding = {fs.abi_origin};
    return d;
  }
  auto covering = [&](bool deny) {
    bool any = false;
    for (const FsRule& r : fs.rules)
      if (r.deny == deny && (r.rights & right) && beneath(path, r.path)) {
        any = true;
        add_origins(d.deciding, r.origins);
      }
    return any;
  };
  if (covering(/*deny=*/true)) {
    d.allowed = false;
    d.reason = FsDecision::Reason::Denied;
  } else if (covering(/*deny=*/false)) {
    d.reason = FsDecision::Reason::Granted;
  } else {
    d.allowed = false;
    d.reason = FsDecision::Reason::NotGranted;
    d.deciding = {fs.abi_origin};
  }
  return d;
}

// ---- network ----

namespace {

constexpr unsigned kMappedPrefix = 96;  // ::ffff:0:0/96

bool is_mapped(const IpAddress& a) {
  return std::all_of(a.begin(), a.begin() + 10, [](uint8_t b) { return b == 0; }) && a[10] == 0xff && a[11] == 0xff;
}

bool host_admits(const NetRule& rule, const Host& h, const NetRequest& r) {
  switch (h.kind) {
    case HostKind::Any: return true;
    case HostKind::Domain: return r.dest == NetRequest::Dest::Domain && domain_matches(h, r.domain);
    case HostKind::V4:
    case HostKind::V6: {
      if (r.dest != NetRequest::Dest::Address) return false;
      const IpAddress block = address_of(h);
      // See `matches` in the header: the implicit rule's mapped forms stand for nothing more.
      if (rule.implicit && h.kind == HostKind::V6 && prefix_of(h) >= kMappedPrefix && is_mapped(block)) return false;
      return in_block(r.addr, block, prefix_of(h));
    }
  }
  return false;
}

bool ports_admit(const std::vector<PortRange>& ports, uint16_t port) {
  if (ports.empty()) return true;
  return std::any_of(ports.begin(), ports.end(), [&](const PortRange& p) { return p.low <= port && port <= p.high; });
}

}  // namespace

IpAddress address_of(const Host& host) {
  IpAddress a{};
  if (host.kind == HostKind::V4) {
    a[10] = a[11] = 0xff;
    std::copy(host.addr.begin(), host.addr.begin() + 4, a.begin() + 12);
  } else {
    a = host.addr;
  }
  return a;
}

unsigned prefix_of(const Host& host) {
  if (host.kind == HostKind::V4) return kMappedPrefix + std::min<unsigned>(host.prefix, 32);
  return std::min<unsigned>(host.prefix, 128);
}

bool in_block(const IpAddress& addr, const IpAddress& block, unsigned prefix) {
  for (unsigned i = 0; i < 16 && prefix > 0; ++i) {
    const unsigned bits = std::min(prefix, 8u);
    const uint8_t mask = static_cast<uint8_t>(0xff00u >> bits);
    if ((addr[i] & mask) != (block[i] & mask)) return false;
    prefix -= bits;
  }
  return true;
}

std::string address_text(const IpAddress& addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_mapped(addr)) inet_ntop(AF_INET, addr.data() + 12, buf, sizeof buf);
  else inet_ntop(AF_INET6, addr.data(), buf, sizeof buf);
  return buf;
}

bool domain_matches(const Host& pattern, std::string_view name) {
  if (pattern.kind != HostKind::Domain) return false;
  if (!pattern.wildcard) return name == pattern.domain;
  const std::string_view base = pattern.domain;
  return name.size() > base.size() + 1 && name.ends_with(base) && name[name.size() - base.size() - 1] == '.';
}

std::string request_text(const NetRequest& r) {
  std::string s = r.direction == Direction::Bind ? "bind" : "connect";
  s += r.proto == Proto::Udp ? " udp " : " tcp ";
  s += std::to_string(r.port);
  if (r.dest == NetRequest::Dest::Address) s += " to " + address_text(r.addr);
  if (r.dest == NetRequest::Dest::Domain) s += " to \"" + r.domain + "\"";
  return s;
}

bool admits_destination(const NetRule& rule, const NetRequest& r) {
  if (rule.hosts.empty()) return true;
  if (r.direction == Direction::Bind) return false;
  return std::any_of(rule.hosts.begin(), rule.hosts.end(), [&](const Host& h) { return host_admits(rule, h, r); });
}

bool matches(const NetRule& rule, const NetRequest& r) {
  if (rule.direction != Direction::Any && rule.direction != r.direction) return false;
  if (rule.proto != Proto::Any && rule.proto != r.proto) return false;
  if (!ports_admit(rule.ports, r.port)) return false;
  return admits_destination(rule, r);
}

bool proxy_open(const Network& net) {
  if (!net.proxy) return false;
  auto is_domain = [](const Host& h) { return h.kind == HostKind::Domain; };
  return std::any_of(net.rules.begin(), net.rules.end(), [&](const NetRule& r) {
    return !r.deny && std::any_of(r.hosts.begin(), r.hosts.end(), is_domain);
  });
}

NetDecision decide_net(const Network& net, const NetRequest& request) {
  NetDecision d;
  auto matching = [&](bool deny) {
    bool any = false;
    for (const NetRule& r : net.rules)
      if (r.deny == deny && matches(r, request)) {
        any = true;
        d.deciding.push_back(r.origin);
      }
    return any;
  };
  if (matching(/*deny=*/true)) {
    d.reason = NetDecision::Reason::Denied;
  } else if (!net.present) {
    d.allowed = true;
    d.reason = NetDecision::Reason::NoSection;
  } else if (matching(/*deny=*/false)) {
    d.allowed = true;
    d.reason = NetDecision::Reason::Allowed;
  } else if (proxy_open(net) && request.direction == Direction::Connect && request.proto == Proto::Tcp &&
             request.dest == NetRequest::Dest::Address && request.port == net.proxy->port &&
             request.addr == address_of(net.proxy->address)) {
    d.allowed = true;
    d.reason = NetDecision::Reason::Proxy;
    d.deciding = {net.proxy->origin};
  }
  return d;
}

}  // namespace polc::ir
