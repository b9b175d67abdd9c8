// Stage: bundle. attribution.json from the IR (see attribution.h).
#include "compiler/bundle/attribution.h"

#include <algorithm>
#include <map>

#include "backends/network/nflog_group.h"
#include "backends/os/os_vocab.h"
#include "compiler/ir/deny_overlap.h"
#include "compiler/ir/landlock_names.h"

namespace polc::bundle {

namespace {

const char* op_name(ir::CmpOp op) {
  switch (op) {
    case ir::CmpOp::Eq: return "eq";
    case ir::CmpOp::Ne: return "ne";
    case ir::CmpOp::Lt: return "lt";
    case ir::CmpOp::Le: return "le";
    case ir::CmpOp::Gt: return "gt";
    case ir::CmpOp::Ge: return "ge";
    case ir::CmpOp::MaskedEq: return "masked_eq";
    case ir::CmpOp::MaskedNe: return "masked_ne";
  }
  return "eq";
}

class Builder {
 public:
  Builder(const std::vector<SourceFile>& sources, const DecisionSpelling& spell) : sources_(sources), spell_(spell) {}

  std::string at(const ir::Origin& o) const { return bundle_location(o.where, sources_); }
  Locations at(const std::vector<ir::Origin>& origins) const {
    Locations out;
    for (const ir::Origin& o : origins) out.push_back(at(o));
    return out;
  }

  AttrSeccomp seccomp(const ir::Syscalls& s) const {
    AttrSeccomp out;
    out.default_decision = spell_(s.default_action);
    out.default_data = s.default_action.data;
    if (s.default_written) out.default_at = at(s.default_origin);
    for (const ir::ArchFilter& af : s.arches) {
      AttrSeccompArch arch;
      arch.arch = std::string(arch::name(af.arch));
      for (const ir::SyscallRule& r : af.rules) {
        const bool always = std::any_of(r.when.begin(), r.when.end(), [](const ir::Clause& c) { return c.empty(); });
        if (always && (arch.always_decided.empty() || arch.always_decided.back() != r.nr))
          arch.always_decided.push_back(r.nr);
        if (r.action.kind == ir::ActionKind::Allow) continue;
        AttrSyscallRule rule{r.syscall, r.nr, spell_(r.action), r.action.data, {}, at(r.origins)};
        for (const ir::Clause& clause : r.when) {
          auto& c = rule.when.emplace_back();
          for (const ir::ArgCmp& cmp : clause) c.push_back({cmp.arg, cmp.width, op_name(cmp.op), cmp.value, cmp.mask});
        }
        arch.rules.push_back(std::move(rule));
      }
      // Rules are sorted by number already; kept sorted and unique whatever that order becomes.
      std::sort(arch.always_decided.begin(), arch.always_decided.end());
      arch.always_decided.erase(std::unique(arch.always_decided.begin(), arch.always_decided.end()),
                                arch.always_decided.end());
      out.arches.push_back(std::move(arch));
    }
    return out;
  }

  static AttrPorts ports(const std::vector<ir::PortRange>& ranges) {
    AttrPorts out;
    for (const ir::PortRange& p : ranges) out.emplace_back(p.low, p.high);
    return out;
  }

  AttrLandlock landlock(const ir::Policy& policy) const {
    const ir::Filesystem& fs = policy.filesystem;
    AttrLandlock out;
    if (fs.present) {
      out.handled = ir::fs_right_names(fs.handled);
      if (fs.min_abi > 0) out.default_at = at(fs.abi_origin);
    }
    for (const ir::FsRule& r : fs.rules)
      (r.deny ? out.denies : out.allows).push_back({r.path, ir::fs_right_names(r.rights), at(r.origins)});
    // What Landlock's TCP layer is built from (backends/landlock/net_layer.cpp): tcp allows, and
    // denies that name no host; the proxy's port is open for the domain rules.
    if (policy.network.present) {
      for (const ir::NetRule& r : policy.network.rules) {
        const std::string where = at(r.origin);
        if (r.deny) {
          if (r.hosts.empty() && r.proto != ir::Proto::Udp)
            out.tcp_denies.push_back({std::string(ir::direction_name(r.direction)), ports(r.ports), {where}});
          continue;
        }
        if (r.proto != ir::Proto::Tcp) continue;
        // An allow opens binds only when it says `bind`, and connects only to addresses (or
        // anywhere): domain rules are reached through the proxy's port.
        const bool addresses = r.hosts.empty() || std::any_of(r.hosts.begin(), r.hosts.end(), [](const ir::Host& h) {
                                 return h.kind != ir::HostKind::Domain;
                               });
        if (r.direction == ir::Direction::Bind) out.tcp_allows.push_back({"bind", ports(r.ports), {where}});
        else if (addresses) out.tcp_allows.push_back({"connect", ports(r.ports), {where}});
      }
      if (const auto& proxy = policy.network.proxy)
        out.tcp_allows.push_back({"connect", {{proxy->port, proxy->port}}, {at(proxy->origin)}});
    }
    out.scopes = ir::scope_names(fs.scopes);
    out.scope_at = at(fs.scope_origins);
    return out;
  }

  AttrNftables nftables(const ir::Network& net) const {
    AttrNftables out;
    out.nflog_group = backends::network::kNflogGroup;
    // Every deny rule has its prefix, by its index among all rules (the emitter's convention);
    // rules nftables does not filter (binds, domains only) simply never log.
    for (size_t k = 0; k < net.rules.size(); ++k)
      if (net.rules[k].deny)
        out.denies.push_back({backends::network::nflog_rule_prefix(k), at(net.rules[k].origin), net.rules[k].implicit});
    out.default_prefix = backends::network::nflog_default_prefix();
    return out;
  }

  AttrProxyRule proxy_rule(const ir::NetRule& r) const {
    AttrProxyRule out;
    for (const ir::Host& h : r.hosts) {
      if (h.kind == ir::HostKind::Domain) out.domains.push_back(ir::host_to_string(h));
      // The proxy resolves names itself and refuses a name resolving to a denied address; it
      // never reaches addresses for an allow rule (nftables does).
      else if (r.deny && h.kind != ir::HostKind::Any) out.addresses.push_back(ir::host_to_string(h));
    }
    out.ports = ports(r.ports);
    out.at = at(r.origin);
    return out;
  }

  // The rules squid.conf applies (backends/network/squid.cpp): every one that can be an outgoing
  // TCP connection; of the allows, those naming domains or every host.
  AttrProxy proxy(const ir::Network& net) const {
    AttrProxy out;
    for (const ir::NetRule& r : net.rules) {
      if (r.direction == ir::Direction::Bind || r.proto == ir::Proto::Udp) continue;
      const bool domains =
          std::any_of(r.hosts.begin(), r.hosts.end(), [](const ir::Host& h) { return h.kind == ir::HostKind::Domain; });
      if (r.deny) out.denies.push_back(proxy_rule(r));
      else if (r.hosts.empty() || domains) out.allows.push_back(proxy_rule(r));
    }
    return out;
  }

  // The OS layer as os.json lays it out (backends/os): each limit a statement sets, each mount
  // (the policy's mount rules and the masks of deny rules beneath grants) and each workspace.
  AttrOs os(const ir::Policy& policy) const {
    AttrOs out;
    for (const ir::Limit& l : policy.os.limits)
      out.limits[std::string(backends::os::limit_name(l.kind))] = {at(l.origin), backends::os::limit_text(l)};
    std::map<std::pair<std::string, backends::os::MountKind>, std::string> mounts;  // a rule's `at` wins
    for (const ir::DenyOverlap& o : ir::deny_overlaps(policy.filesystem))
      for (backends::os::MountKind kind : backends::os::mask_kinds(o.deny->rights))
        mounts[{o.deny->path, kind}] = at(o.deny->origins.front());
    for (const ir::MountRule& m : policy.os.mounts)
      mounts[{m.path, backends::os::mount_kind_of(m.kind)}] = at(m.origin);
    for (const auto& [key, where] : mounts)
      out.mounts.push_back({std::string(backends::os::mount_kind_name(key.second)), key.first, where});
    for (const ir::Workspace& w : policy.os.workspaces) out.workspaces.push_back({w.path, at(w.origin)});
    return out;
  }

 private:
  const std::vector<SourceFile>& sources_;
  const DecisionSpelling& spell_;
};

}  // namespace

Attribution attribution_of(const ir::Policy& policy, const AttributionLayers& layers,
                           const std::vector<SourceFile>& sources, const DecisionSpelling& spell) {
  const Builder b(sources, spell);
  Attribution out;
  out.policy_name = policy.name;
  out.policy_version = static_cast<int64_t>(policy.version);
  if (layers.seccomp) out.seccomp = b.seccomp(policy.syscalls);
  if (layers.landlock) out.landlock = b.landlock(policy);
  if (layers.nftables) out.nftables = b.nftables(policy.network);
  if (layers.proxy && policy.network.proxy) out.proxy = b.proxy(policy.network);
  if (layers.os) out.os = b.os(policy);
  return out;
}

}  // namespace polc::bundle
