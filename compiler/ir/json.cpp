// Stage: ir. JSON rendering of the IR.
#include "compiler/ir/json.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "compiler/ir/landlock_names.h"
#include "compiler/ir/os_names.h"
#include "compiler/ir/os_text.h"

namespace polc::ir {

namespace {

using json = nlohmann::ordered_json;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string_view op_name(CmpOp op) {
  switch (op) {
    case CmpOp::Eq: return "==";
    case CmpOp::Ne: return "!=";
    case CmpOp::Lt: return "<";
    case CmpOp::Le: return "<=";
    case CmpOp::Gt: return ">";
    case CmpOp::Ge: return ">=";
    case CmpOp::MaskedEq: return "==";
    case CmpOp::MaskedNe: return "!=";
  }
  return "?";
}

json action_json(const Action& a) {
  json j = {{"kind", action_name(a.kind)}};
  if (a.kind == ActionKind::Errno || a.kind == ActionKind::Trace) j["data"] = a.data;
  return j;
}

// Each comparison is one readable string, "arg1/32 == 0x5401" or "arg0/64 & 0x10000000 == 0x0":
// argument index, the width it is compared at, and the values in hex as the kernel sees them.
std::string cmp_text(const ArgCmp& c) {
  std::string s = "arg" + std::to_string(c.arg) + "/" + std::to_string(c.width) + " ";
  if (c.op == CmpOp::MaskedEq || c.op == CmpOp::MaskedNe) {
    s += "& " + hex(c.mask) + (c.op == CmpOp::MaskedEq ? " == " : " != ");
  } else {
    s += std::string(op_name(c.op)) + " ";
  }
  return s + hex(c.value);
}

json clauses_json(const std::vector<Clause>& when) {
  json any = json::array();
  for (const Clause& c : when) {
    json all = json::array();
    for (const ArgCmp& cmp : c) all.push_back(cmp_text(cmp));
    any.push_back(all);
  }
  return any;
}

json origin_json(const Origin& o) {
  json j = {{"at", o.where}};
  if (!o.module.empty()) j["module"] = o.module;
  return j;
}

json origins_json(const std::vector<Origin>& origins) {
  json arr = json::array();
  for (const Origin& o : origins) arr.push_back(origin_json(o));
  return arr;
}

json ports_json(const std::vector<PortRange>& ports) {
  json arr = json::array();
  for (const PortRange& p : ports) arr.push_back(p.low == p.high ? json(p.low) : json{p.low, p.high});
  return arr;
}

json query_json(const Query& q) {
  switch (q.kind) {
    case QueryKind::Syscall: {
      json per = json::array();
      for (const SyscallQueryArch& a : q.syscall.per_arch) {
        json j = {{"arch", arch::name(a.arch)}, {"nr", a.nr}};
        if (q.syscall.concrete) {
          json args = json::array();
          for (uint64_t v : a.args) args.push_back(hex(v));
          j["args"] = args;
        } else {
          j["when"] = clauses_json(a.when);
        }
        per.push_back(j);
      }
      return {{"syscall", q.syscall.syscall}, {"per_arch", per}};
    }
    case QueryKind::Fs: return {{"path", q.fs.path}, {"rights", q.fs.rights}};
    case QueryKind::Net: {
      json j = {{"direction", direction_name(q.net.direction)}, {"proto", proto_name(q.net.proto)}};
      if (q.net.port) j["ports"] = ports_json({*q.net.port});
      if (q.net.host) j["host"] = host_to_string(*q.net.host);
      return j;
    }
  }
  return nullptr;
}

std::string_view unit_name(LimitUnit u) {
  switch (u) {
    case LimitUnit::Bytes: return "bytes";
    case LimitUnit::Count: return "count";
    case LimitUnit::Millicores: return "thousandths of a core";
    case LimitUnit::Milliseconds: return "milliseconds";
    case LimitUnit::Switch: return "0 off, 1 on";
  }
  return "";
}

// Each limit both as a policy writes it ("512MiB") and as the raw number backends use.
json os_json(const Os& os) {
  json namespaces = json::array();
  for (const NamespaceRule& n : os.namespaces)
    namespaces.push_back({{"name", namespace_name(n.ns)}, {"implied", n.implied}, {"origin", origin_json(n.origin)}});
  json limits = json::array();
  for (const Limit& l : os.limits)
    limits.push_back({{"limit", limit_name(l.kind)},
                      {"value", limit_value_text(l.kind, l.value)},
                      {"raw", l.value},
                      {"unit", unit_name(limit_info(l.kind).unit)},
                      {"origin", origin_json(l.origin)}});
  json mounts = json::array();
  for (const MountRule& m : os.mounts) {
    json j = {{"kind", mount_kind_name(m.kind)}, {"path", m.path}};
    if (m.kind == MountKind::Tmpfs) {
      j["size"] = m.size == 0 ? json("default") : json(size_text(m.size));
      j["size_bytes"] = m.size;
    }
    j["origin"] = origin_json(m.origin);
    mounts.push_back(j);
  }
  json workspaces = json::array();
  for (const Workspace& w : os.workspaces) {
    json discard = json::array();
    for (const DiscardName& d : kDiscardNames)
      if (w.discard_on & d.bit) discard.push_back(d.name);
    workspaces.push_back({{"path", w.path},
                          {"discard_on", discard},
                          {"refusal_layers", w.refusal_layers},
                          {"origin", origin_json(w.origin)}});
  }
  return {{"namespaces", namespaces}, {"limits", limits}, {"mounts", mounts}, {"workspaces", workspaces}};
}

}  // namespace

std::string to_json(const Policy& p) {
  json arches = json::array();
  for (const ArchFilter& af : p.syscalls.arches) {
    json rules = json::array();
    for (const SyscallRule& r : af.rules) {
      json j = {{"syscall", r.syscall}, {"nr", r.nr}, {"action", action_json(r.action)}};
      if (!(r.when.size() == 1 && r.when[0].empty())) j["when"] = clauses_json(r.when);
      j["origins"] = origins_json(r.origins);
      rules.push_back(j);
    }
    arches.push_back({{"arch", arch::name(af.arch)}, {"rules", rules}});
  }
  json targets = json::array();
  for (arch::Arch a : p.targets) targets.push_back(arch::name(a));

  json fs_rules = json::array();
  for (const FsRule& r : p.filesystem.rules)
    fs_rules.push_back(
        {{"path", r.path}, {"rights", r.rights}, {"deny", r.deny}, {"origins", origins_json(r.origins)}});

  json net_rules = json::array();
  for (const NetRule& r : p.network.rules) {
    json hosts = json::array();
    for (const Host& h : r.hosts) hosts.push_back(host_to_string(h));
    net_rules.push_back({{"deny", r.deny},
                         {"implicit", r.implicit},
                         {"direction", direction_name(r.direction)},
                         {"proto", proto_name(r.proto)},
                         {"ports", ports_json(r.ports)},
                         {"hosts", hosts},
                         {"origin", origin_json(r.origin)}});
  }

  json scopes = scope_names(p.filesystem.scopes);
  json best_effort = layer_names(p.filesystem.best_effort);
  json proxy = nullptr;
  if (p.network.proxy)
    proxy = {{"address", host_to_string(p.network.proxy->address)},
             {"port", p.network.proxy->port},
             {"origin", origin_json(p.network.proxy->origin)}};

  json assertions = json::array();
  for (const Assertion& a : p.assertions)
    assertions.push_back({{"quantifier", a.never ? "never" : "always"},
                          {"query", query_json(a.query)},
                          {"origin", origin_json(a.origin)}});

  json tests = json::array();
  for (const Test& t : p.tests) {
    json exps = json::array();
    for (const Expectation& e : t.expectations)
      exps.push_back({{"expect", e.any_denial ? json("deny") : action_json(e.action)},
                      {"query", query_json(e.query)},
                      {"origin", origin_json(e.origin)}});
    tests.push_back({{"name", t.name}, {"expectations", exps}, {"origin", origin_json(t.origin)}});
  }

  json out = {{"policy", p.name},
              {"version", p.version},
              {"targets", targets},
              {"modules", p.modules},
              {"syscalls",
               {{"default", action_json(p.syscalls.default_action)},
                {"default_written", p.syscalls.default_written},
                {"arches", arches}}},
              {"filesystem",
               {{"present", p.filesystem.present},
                {"min_abi", p.filesystem.min_abi},
                {"handled", p.filesystem.handled},
                {"rules", fs_rules},
                {"scopes", scopes},
                {"scope_origins", origins_json(p.filesystem.scope_origins)},
                {"best_effort", best_effort}}},
              {"network", {{"present", p.network.present}, {"rules", net_rules}, {"proxy", proxy}}},
              {"assertions", assertions},
              {"tests", tests}};
  // Policies without an OS layer print as they always have.
  if (!p.os.empty()) out["os"] = os_json(p.os);
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace polc::ir
