// Stage: bundle. attribution.json's keys, written and read (see attribution_schema.h).
#include "compiler/bundle/attribution_schema.h"

#include <climits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "compiler/bundle/json_fields.h"

namespace polc::bundle {

namespace {

using nlohmann::json;

bool masked(const std::string& op) { return op == "masked_eq" || op == "masked_ne"; }

// ---- writing ----

json ports_json(const AttrPorts& ports) {
  json out = json::array();
  for (const auto& [low, high] : ports) out.push_back(json::array({low, high}));
  return out;
}

json condition_json(const AttrCondition& when) {
  json out = json::array();
  for (const auto& clause : when) {
    json c = json::array();
    for (const AttrArgCmp& cmp : clause) {
      json entry = {{"arg", cmp.arg}, {"width", cmp.width}, {"op", cmp.op}, {"value", cmp.value}};
      if (masked(cmp.op)) entry["mask"] = cmp.mask;
      c.push_back(std::move(entry));
    }
    out.push_back(std::move(c));
  }
  return out;
}

json seccomp_json(const AttrSeccomp& s) {
  json def = {{"decision", s.default_decision}, {"data", s.default_data}};
  if (s.default_at) def["at"] = *s.default_at;
  json arches = json::array();
  for (const AttrSeccompArch& a : s.arches) {
    json rules = json::array();
    for (const AttrSyscallRule& r : a.rules)
      rules.push_back({{"syscall", r.syscall},
                       {"nr", r.nr},
                       {"decision", r.decision},
                       {"data", r.data},
                       {"when", condition_json(r.when)},
                       {"at", r.at}});
    json names = json::array();
    for (const auto& [nr, name] : a.names) names.push_back(json::array({nr, name}));
    arches.push_back(
        {{"arch", a.arch}, {"rules", std::move(rules)}, {"always_decided", a.always_decided}, {"names", names}});
  }
  return {{"default", std::move(def)}, {"arches", std::move(arches)}};
}

json fs_rules_json(const std::vector<AttrFsRule>& rules) {
  json out = json::array();
  for (const AttrFsRule& r : rules) out.push_back({{"path", r.path}, {"rights", r.rights}, {"at", r.at}});
  return out;
}

json tcp_rules_json(const std::vector<AttrTcpRule>& rules) {
  json out = json::array();
  for (const AttrTcpRule& r : rules)
    out.push_back({{"direction", r.direction}, {"ports", ports_json(r.ports)}, {"at", r.at}});
  return out;
}

json landlock_json(const AttrLandlock& l) {
  json out = {{"handled", l.handled},
              {"denies", fs_rules_json(l.denies)},
              {"allows", fs_rules_json(l.allows)},
              {"tcp_allows", tcp_rules_json(l.tcp_allows)},
              {"tcp_denies", tcp_rules_json(l.tcp_denies)},
              {"scopes", {{"scopes", l.scopes}, {"at", l.scope_at}}}};
  if (l.default_at) out["default_at"] = *l.default_at;
  return out;
}

json nftables_json(const AttrNftables& n) {
  json denies = json::array();
  for (const AttrNftRule& r : n.denies)
    denies.push_back({{"prefix", r.prefix}, {"at", r.at}, {"implicit", r.implicit}});
  return {{"nflog_group", n.nflog_group}, {"denies", std::move(denies)}, {"default_prefix", n.default_prefix}};
}

json proxy_rules_json(const std::vector<AttrProxyRule>& rules) {
  json out = json::array();
  for (const AttrProxyRule& r : rules)
    out.push_back({{"domains", r.domains}, {"addresses", r.addresses}, {"ports", ports_json(r.ports)}, {"at", r.at}});
  return out;
}

json os_json(const AttrOs& os) {
  json limits = json::object();
  for (const auto& [name, limit] : os.limits) limits[name] = {{"at", limit.at}, {"text", limit.text}};
  json mounts = json::array();
  for (const AttrOsMount& m : os.mounts) mounts.push_back({{"kind", m.kind}, {"path", m.path}, {"at", m.at}});
  json workspaces = json::array();
  for (const AttrOsWorkspace& w : os.workspaces) workspaces.push_back({{"path", w.path}, {"at", w.at}});
  return {{"limits", std::move(limits)}, {"mounts", std::move(mounts)}, {"workspaces", std::move(workspaces)}};
}

// ---- strict reading ----

// The first fault ends the reading: a launcher refuses the bundle anyway, and one exact message
// ("seccomp.arches[0].rules[3].nr is not an integer") says more than a list of consequences.
struct Fault : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Reader {
 public:
  // The object at `where`, with exactly the keys `required` plus any of `optional`.
  const json& object(const json& j, const std::string& where, std::initializer_list<const char*> required,
                     std::initializer_list<const char*> optional = {}) const {
    if (!j.is_object()) throw Fault(where + " is not an object");
    for (const char* key : required)
      if (!j.contains(key)) throw Fault(where + " has no \"" + key + "\"");
    for (const auto& [key, value] : j.items()) {
      bool known = false;
      for (const char* k : required) known = known || key == k;
      for (const char* k : optional) known = known || key == k;
      if (!known) throw Fault(where + " has an unknown key \"" + key + "\"");
    }
    return j;
  }

  std::string string(const json& j, const std::string& where) const {
    if (!j.is_string()) throw Fault(where + " is not a string");
    return j.get<std::string>();
  }

  uint64_t unsigned_at_most(const json& j, const std::string& where, uint64_t max) const {
    if (!j.is_number_unsigned() || j.get<uint64_t>() > max)
      throw Fault(where + " is not an integer from 0 to " + std::to_string(max));
    return j.get<uint64_t>();
  }

  bool boolean(const json& j, const std::string& where) const {
    if (!j.is_boolean()) throw Fault(where + " is not true or false");
    return j.get<bool>();
  }

  template <typename Each>
  void array(const json& j, const std::string& where, Each each) const {
    if (!j.is_array()) throw Fault(where + " is not an array");
    for (size_t i = 0; i < j.size(); ++i) each(j[i], where + "[" + std::to_string(i) + "]");
  }

  std::vector<std::string> strings(const json& j, const std::string& where) const {
    std::vector<std::string> out;
    array(j, where, [&](const json& e, const std::string& w) { out.push_back(string(e, w)); });
    return out;
  }

  AttrPorts ports(const json& j, const std::string& where) const {
    AttrPorts out;
    array(j, where, [&](const json& e, const std::string& w) {
      if (!e.is_array() || e.size() != 2) throw Fault(w + " is not a [low, high] pair");
      const auto low = unsigned_at_most(e[0], w + "[0]", 65535), high = unsigned_at_most(e[1], w + "[1]", 65535);
      if (low == 0 || low > high) throw Fault(w + " is not a port range (1 <= low <= high)");
      out.emplace_back(static_cast<uint16_t>(low), static_cast<uint16_t>(high));
    });
    return out;
  }

  AttrCondition condition(const json& j, const std::string& where) const {
    AttrCondition out;
    array(j, where, [&](const json& clause, const std::string& wc) {
      auto& c = out.emplace_back();
      array(clause, wc, [&](const json& e, const std::string& w) {
        const json& o = object(e, w, {"arg", "width", "op", "value"}, {"mask"});
        AttrArgCmp cmp;
        cmp.arg = static_cast<uint8_t>(unsigned_at_most(o["arg"], w + ".arg", 5));
        cmp.width = static_cast<uint8_t>(unsigned_at_most(o["width"], w + ".width", 64));
        if (cmp.width != 16 && cmp.width != 32 && cmp.width != 64) throw Fault(w + ".width is not 16, 32 or 64");
        cmp.op = string(o["op"], w + ".op");
        static const char* const kOps[] = {"eq", "ne", "lt", "le", "gt", "ge", "masked_eq", "masked_ne"};
        bool known = false;
        for (const char* op : kOps) known = known || cmp.op == op;
        if (!known) throw Fault(w + ".op \"" + cmp.op + "\" is not a comparison");
        cmp.value = unsigned_at_most(o["value"], w + ".value", UINT64_MAX);
        if (masked(cmp.op) != o.contains("mask"))
          throw Fault(w + (masked(cmp.op) ? " has no \"mask\"" : " has a \"mask\" but is not masked"));
        if (o.contains("mask")) cmp.mask = unsigned_at_most(o["mask"], w + ".mask", UINT64_MAX);
        c.push_back(cmp);
      });
    });
    return out;
  }

  AttrSeccomp seccomp(const json& j) const {
    const json& s = object(j, "seccomp", {"default", "arches"});
    AttrSeccomp out;
    const json& def = object(s["default"], "seccomp.default", {"decision", "data"}, {"at"});
    out.default_decision = string(def["decision"], "seccomp.default.decision");
    out.default_data = unsigned_at_most(def["data"], "seccomp.default.data", 65535);
    if (def.contains("at")) out.default_at = string(def["at"], "seccomp.default.at");
    array(s["arches"], "seccomp.arches", [&](const json& e, const std::string& w) {
      const json& a = object(e, w, {"arch", "rules", "always_decided", "names"});
      AttrSeccompArch arch;
      arch.arch = string(a["arch"], w + ".arch");
      array(a["rules"], w + ".rules", [&](const json& r, const std::string& wr) {
        const json& o = object(r, wr, {"syscall", "nr", "decision", "data", "when", "at"});
        AttrSyscallRule rule;
        rule.syscall = string(o["syscall"], wr + ".syscall");
        rule.nr = static_cast<int64_t>(unsigned_at_most(o["nr"], wr + ".nr", INT32_MAX));
        rule.decision = string(o["decision"], wr + ".decision");
        rule.data = unsigned_at_most(o["data"], wr + ".data", 65535);
        rule.when = condition(o["when"], wr + ".when");
        rule.at = strings(o["at"], wr + ".at");
        arch.rules.push_back(std::move(rule));
      });
      array(a["always_decided"], w + ".always_decided", [&](const json& n, const std::string& wn) {
        arch.always_decided.push_back(static_cast<int64_t>(unsigned_at_most(n, wn, INT32_MAX)));
      });
      array(a["names"], w + ".names", [&](const json& pair, const std::string& wn) {
        if (!pair.is_array() || pair.size() != 2) throw Fault(wn + " is not a [number, name] pair");
        arch.names.emplace_back(static_cast<int64_t>(unsigned_at_most(pair[0], wn + "[0]", INT32_MAX)),
                                string(pair[1], wn + "[1]"));
      });
      out.arches.push_back(std::move(arch));
    });
    return out;
  }

  std::vector<AttrFsRule> fs_rules(const json& j, const std::string& where) const {
    std::vector<AttrFsRule> out;
    array(j, where, [&](const json& e, const std::string& w) {
      const json& o = object(e, w, {"path", "rights", "at"});
      out.push_back({string(o["path"], w + ".path"), strings(o["rights"], w + ".rights"), strings(o["at"], w + ".at")});
    });
    return out;
  }

  std::vector<AttrTcpRule> tcp_rules(const json& j, const std::string& where) const {
    std::vector<AttrTcpRule> out;
    array(j, where, [&](const json& e, const std::string& w) {
      const json& o = object(e, w, {"direction", "ports", "at"});
      AttrTcpRule r{string(o["direction"], w + ".direction"), ports(o["ports"], w + ".ports"),
                    strings(o["at"], w + ".at")};
      if (r.direction != "connect" && r.direction != "bind" && r.direction != "any")
        throw Fault(w + ".direction is not \"connect\", \"bind\" or \"any\"");
      out.push_back(std::move(r));
    });
    return out;
  }

  AttrLandlock landlock(const json& j) const {
    const json& l =
        object(j, "landlock", {"handled", "denies", "allows", "tcp_allows", "tcp_denies", "scopes"}, {"default_at"});
    AttrLandlock out;
    out.handled = strings(l["handled"], "landlock.handled");
    if (l.contains("default_at")) out.default_at = string(l["default_at"], "landlock.default_at");
    out.denies = fs_rules(l["denies"], "landlock.denies");
    out.allows = fs_rules(l["allows"], "landlock.allows");
    out.tcp_allows = tcp_rules(l["tcp_allows"], "landlock.tcp_allows");
    out.tcp_denies = tcp_rules(l["tcp_denies"], "landlock.tcp_denies");
    const json& s = object(l["scopes"], "landlock.scopes", {"scopes", "at"});
    out.scopes = strings(s["scopes"], "landlock.scopes.scopes");
    out.scope_at = strings(s["at"], "landlock.scopes.at");
    return out;
  }

  AttrNftables nftables(const json& j) const {
    const json& n = object(j, "nftables", {"nflog_group", "denies", "default_prefix"});
    AttrNftables out;
    out.nflog_group = static_cast<uint32_t>(unsigned_at_most(n["nflog_group"], "nftables.nflog_group", 65535));
    array(n["denies"], "nftables.denies", [&](const json& e, const std::string& w) {
      const json& o = object(e, w, {"prefix", "at", "implicit"});
      out.denies.push_back(
          {string(o["prefix"], w + ".prefix"), string(o["at"], w + ".at"), boolean(o["implicit"], w + ".implicit")});
    });
    out.default_prefix = string(n["default_prefix"], "nftables.default_prefix");
    return out;
  }

  std::vector<AttrProxyRule> proxy_rules(const json& j, const std::string& where) const {
    std::vector<AttrProxyRule> out;
    array(j, where, [&](const json& e, const std::string& w) {
      const json& o = object(e, w, {"domains", "addresses", "ports", "at"});
      out.push_back({strings(o["domains"], w + ".domains"), strings(o["addresses"], w + ".addresses"),
                     ports(o["ports"], w + ".ports"), string(o["at"], w + ".at")});
    });
    return out;
  }

  AttrOs os(const json& j) const {
    const json& o = object(j, "os", {"limits", "mounts", "workspaces"});
    AttrOs out;
    static const char* const kLimits[] = {"memory", "memory_swap", "tasks",     "cpu",
                                          "time",   "open_files",  "file_size", "core_dumps"};
    if (!o["limits"].is_object()) throw Fault("os.limits is not an object");
    for (const auto& [name, value] : o["limits"].items()) {
      const std::string w = "os.limits." + name;
      bool known = false;
      for (const char* k : kLimits) known = known || name == k;
      if (!known) throw Fault("os.limits has an unknown limit \"" + name + "\"");
      const json& l = object(value, w, {"at", "text"});
      out.limits[name] = {string(l["at"], w + ".at"), string(l["text"], w + ".text")};
    }
    static const char* const kKinds[] = {"minimal_dev", "tmpfs", "hide", "readonly", "noexec", "nodev"};
    array(o["mounts"], "os.mounts", [&](const json& e, const std::string& w) {
      const json& m = object(e, w, {"kind", "path", "at"});
      AttrOsMount mount{string(m["kind"], w + ".kind"), string(m["path"], w + ".path"), string(m["at"], w + ".at")};
      bool known = false;
      for (const char* k : kKinds) known = known || mount.kind == k;
      if (!known) throw Fault(w + ".kind \"" + mount.kind + "\" is not a mount kind");
      out.mounts.push_back(std::move(mount));
    });
    array(o["workspaces"], "os.workspaces", [&](const json& e, const std::string& w) {
      const json& ws = object(e, w, {"path", "at"});
      out.workspaces.push_back({string(ws["path"], w + ".path"), string(ws["at"], w + ".at")});
    });
    return out;
  }

  AttrProxy proxy(const json& j) const {
    const json& p = object(j, "proxy", {"denies", "allows"});
    return {proxy_rules(p["denies"], "proxy.denies"), proxy_rules(p["allows"], "proxy.allows")};
  }
};

}  // namespace

std::string to_json(const Attribution& a) {
  json doc = {{"format", a.format}, {"policy", {{"name", a.policy_name}, {"version", a.policy_version}}}};
  if (a.seccomp) doc["seccomp"] = seccomp_json(*a.seccomp);
  if (a.landlock) doc["landlock"] = landlock_json(*a.landlock);
  if (a.nftables) doc["nftables"] = nftables_json(*a.nftables);
  if (a.proxy)
    doc["proxy"] = {{"denies", proxy_rules_json(a.proxy->denies)}, {"allows", proxy_rules_json(a.proxy->allows)}};
  if (a.os) doc["os"] = os_json(*a.os);
  // nlohmann's objects are std::map-backed: dump() writes sorted keys and no whitespace.
  return doc.dump(-1, ' ', false, json::error_handler_t::strict);
}

Attribution attribution_from_json(const std::string& bytes, Problems& problems) {
  Attribution out;
  out.format.clear();
  const JsonDocument doc{ProblemKind::MalformedManifest, kAttributionFile,
                         "attribution.json is written by `polc build`; rebuild the bundle instead of editing it",
                         problems};
  const auto parsed = doc.parse_object(bytes);
  if (!parsed) return out;
  const json& j = *parsed;
  const Reader read;
  try {
    read.object(j, "the document", {"format", "policy"}, {"seccomp", "landlock", "nftables", "proxy", "os"});
    if (!j["format"].is_string() || j["format"] != kAttributionFormat)
      throw Fault(std::string("not a ") + kAttributionFormat + " document (\"format\")");
    out.format = kAttributionFormat;
    const json& policy = read.object(j["policy"], "policy", {"name", "version"});
    out.policy_name = read.string(policy["name"], "policy.name");
    out.policy_version = static_cast<int64_t>(read.unsigned_at_most(policy["version"], "policy.version", INT64_MAX));
    if (j.contains("seccomp")) out.seccomp = read.seccomp(j["seccomp"]);
    if (j.contains("landlock")) out.landlock = read.landlock(j["landlock"]);
    if (j.contains("nftables")) out.nftables = read.nftables(j["nftables"]);
    if (j.contains("proxy")) out.proxy = read.proxy(j["proxy"]);
    if (j.contains("os")) out.os = read.os(j["os"]);
  } catch (const Fault& f) {
    doc.fail(f.what());
  }
  return out;
}

}  // namespace polc::bundle
