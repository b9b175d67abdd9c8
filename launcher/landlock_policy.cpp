// Stage: launcher. landlock.json parsing and the per-kernel plan.
#include "launcher/landlock_policy.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "launcher/bundle_json.h"
#include "launcher/errors.h"
#include "launcher/landlock_names.h"

namespace polc::launcher {

namespace {

using nlohmann::json;

constexpr int kNetMinAbi = 4;
constexpr int kScopeMinAbi = 6;
// Far above any real ABI, low enough that arithmetic on it never overflows.
constexpr int kMaxAbi = 1000;

[[noreturn]] void invalid(const std::string& message) {
  throw Failure(ExitCode::BundleInvalid, "landlock.json: " + message);
}

void expect_keys(const json& object, const std::string& where, std::initializer_list<const char*> required,
                 std::initializer_list<const char*> optional = {}) {
  if (!object.is_object()) invalid(where + " is not an object");
  for (const char* key : required)
    if (!object.contains(key)) invalid(where + " has no \"" + key + "\"");
  for (const auto& item : object.items()) {
    // A plain variable, not a structured binding: lambdas may not capture bindings before C++20
    // compilers implement P1091 (clang 15 does not).
    const std::string& key = item.key();
    bool known = std::any_of(required.begin(), required.end(), [&](const char* k) { return key == k; }) ||
                 std::any_of(optional.begin(), optional.end(), [&](const char* k) { return key == k; });
    // An unknown key may be a restriction this launcher does not know how to apply.
    if (!known) invalid(where + " has unknown key \"" + key + "\" (this sbx-exec reads polc.landlock/1)");
  }
}

template <size_t N>
uint64_t parse_names(const json& list, const LandlockName (&table)[N], const std::string& where,
                     int* max_abi = nullptr) {
  if (!list.is_array()) invalid(where + " is not an array of names");
  uint64_t bits = 0;
  for (const json& item : list) {
    if (!item.is_string()) invalid(where + " has a non-string entry");
    std::string name = item.get<std::string>();
    const LandlockName* found = nullptr;
    for (const LandlockName& n : table)
      if (name == n.name) found = &n;
    if (!found) invalid(where + " has unknown name \"" + name + "\"");
    bits |= found->bit;
    if (max_abi) *max_abi = std::max(*max_abi, found->abi);
  }
  return bits;
}

int parse_abi(const json& value, const std::string& where) {
  if (!value.is_number_integer()) invalid(where + " is not an integer");
  int64_t abi = value.get<int64_t>();
  if (abi < 0 || abi > kMaxAbi) invalid(where + " is out of range");
  return static_cast<int>(abi);
}

bool parse_bool(const json& value, const std::string& where) {
  if (!value.is_boolean()) invalid(where + " is not a boolean");
  return value.get<bool>();
}

std::vector<FsRule> parse_path_rules(const json& list, const std::string& name, uint64_t handled) {
  if (!list.is_array()) invalid(name + " is not an array");
  std::vector<FsRule> out;
  size_t index = 0;
  for (const json& r : list) {
    std::string where = name + "[" + std::to_string(index++) + "]";
    expect_keys(r, where, {"path", "access"});
    if (!r["path"].is_string()) invalid(where + ".path is not a string");
    FsRule rule;
    rule.path = r["path"].get<std::string>();
    if (rule.path.empty() || rule.path.front() != '/' || rule.path.find('\0') != std::string::npos)
      invalid(where + ".path \"" + rule.path + "\" is not an absolute path");
    rule.access = parse_names(r["access"], kFsRights, where + ".access");
    if (rule.access == 0) invalid(where + ".access is empty");
    if ((rule.access & ~handled) != 0)
      invalid(where + " names " + join(fs_access_names(rule.access & ~handled), ", ") +
              ", which fs.handled_access does not list");
    out.push_back(std::move(rule));
  }
  return out;
}

FsLayer parse_fs(const json& fs, int min_abi) {
  expect_keys(fs, "fs", {"handled_access", "rules"}, {"denies"});
  FsLayer layer;
  int needs = 0;
  layer.handled = parse_names(fs["handled_access"], kFsRights, "fs.handled_access", &needs);
  // A ruleset that handles nothing restricts nothing; the kernel refuses it, and a bundle meaning
  // "no filesystem layer" says "fs": null.
  if (layer.handled == 0) invalid("fs.handled_access is empty (use \"fs\": null for no filesystem layer)");
  if (needs > min_abi)
    invalid("fs handles a right of Landlock ABI " + std::to_string(needs) + " but min_abi is " +
            std::to_string(min_abi));
  layer.rules = parse_path_rules(fs["rules"], "fs.rules", layer.handled);
  if (fs.contains("denies")) layer.denies = parse_path_rules(fs["denies"], "fs.denies", layer.handled);
  return layer;
}

// The fields every layer newer than the filesystem's starts with: the ABI it needs (at least
// `min_abi`, or the layer could not exist) and whether the policy made it best effort.
void parse_layer_abi(const json& layer, const std::string& name, int min_abi, const char* why, int& abi,
                     bool& best_effort) {
  abi = parse_abi(layer["abi"], name + ".abi");
  if (abi < min_abi) invalid(name + ".abi is " + std::to_string(abi) + "; " + why);
  best_effort = parse_bool(layer["best_effort"], name + ".best_effort");
}

NetLayer parse_net(const json& net) {
  expect_keys(net, "net", {"abi", "best_effort", "handled_access", "rules"});
  NetLayer layer;
  parse_layer_abi(net, "net", kNetMinAbi, "TCP rules need ABI 4", layer.abi, layer.best_effort);
  layer.handled = parse_names(net["handled_access"], kNetRights, "net.handled_access");
  if (layer.handled == 0) invalid("net.handled_access is empty (use \"net\": null for no network layer)");
  if (!net["rules"].is_array()) invalid("net.rules is not an array");
  size_t index = 0;
  for (const json& r : net["rules"]) {
    std::string where = "net.rules[" + std::to_string(index++) + "]";
    expect_keys(r, where, {"access", "ports"});
    NetRule rule;
    rule.access = parse_names(r["access"], kNetRights, where + ".access");
    if (rule.access == 0) invalid(where + ".access is empty");
    if ((rule.access & ~layer.handled) != 0) invalid(where + " grants a right net.handled_access does not list");
    if (!r["ports"].is_array()) invalid(where + ".ports is not an array");
    for (const json& range : r["ports"]) {
      if (!range.is_array() || range.size() != 2 || !range[0].is_number_integer() || !range[1].is_number_integer())
        invalid(where + ".ports has an entry that is not [low, high]");
      int64_t low = range[0].get<int64_t>(), high = range[1].get<int64_t>();
      if (low < 0 || high > 65535 || low > high)
        invalid(where + ".ports has an invalid range [" + std::to_string(low) + ", " + std::to_string(high) + "]");
      rule.ports.emplace_back(static_cast<uint16_t>(low), static_cast<uint16_t>(high));
    }
    layer.rules.push_back(std::move(rule));
  }
  return layer;
}

ScopeLayer parse_scope(const json& scope) {
  expect_keys(scope, "scope", {"abi", "best_effort", "scoped"});
  ScopeLayer layer;
  parse_layer_abi(scope, "scope", kScopeMinAbi, "scopes need ABI 6", layer.abi, layer.best_effort);
  layer.scoped = parse_names(scope["scoped"], kScopes, "scope.scoped");
  if (layer.scoped == 0) invalid("scope.scoped is empty (use \"scope\": null for no scope layer)");
  return layer;
}

template <size_t N>
std::vector<std::string> names_of(uint64_t bits, const LandlockName (&table)[N]) {
  std::vector<std::string> out;
  for (const LandlockName& n : table)
    if (bits & n.bit) out.emplace_back(n.name);
  return out;
}

}  // namespace

std::vector<std::string> fs_access_names(uint64_t bits) { return names_of(bits, kFsRights); }
std::vector<std::string> net_access_names(uint64_t bits) { return names_of(bits, kNetRights); }
std::vector<std::string> scope_names(uint64_t bits) { return names_of(bits, kScopes); }

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

uint64_t fs_file_rights() {
  // execute, write_file, read_file, truncate, ioctl_dev
  return (1ull << 0) | (1ull << 1) | (1ull << 2) | (1ull << 14) | (1ull << 15);
}

LandlockPolicy parse_landlock_policy(std::string_view text) {
  json doc = parse_bundle_json(text, "landlock.json");
  // "_comment" is the generated-file notice polc writes into its JSON artifacts; it carries no
  // meaning, so unlike any other unknown key it cannot be a restriction left unapplied.
  expect_keys(doc, "the document", {"format", "policy", "min_abi", "fs", "net", "scope"}, {"_comment"});
  if (doc.contains("_comment") && !doc["_comment"].is_string()) invalid("_comment is not a string");
  if (!doc["format"].is_string() || doc["format"].get<std::string>() != "polc.landlock/1")
    invalid("format is not \"polc.landlock/1\"");
  LandlockPolicy policy;
  const json& p = doc["policy"];
  expect_keys(p, "policy", {"name", "version"});
  if (!p["name"].is_string()) invalid("policy.name is not a string");
  if (!p["version"].is_number_integer()) invalid("policy.version is not an integer");
  policy.policy_name = p["name"].get<std::string>();
  policy.policy_version = p["version"].get<int64_t>();
  policy.min_abi = parse_abi(doc["min_abi"], "min_abi");
  if (!doc["fs"].is_null()) {
    if (policy.min_abi < 1) invalid("min_abi is below 1 but there is a filesystem layer");
    policy.fs = parse_fs(doc["fs"], policy.min_abi);
  }
  if (!doc["net"].is_null()) policy.net = parse_net(doc["net"]);
  if (!doc["scope"].is_null()) policy.scope = parse_scope(doc["scope"]);
  return policy;
}

LandlockPlan plan_landlock(const LandlockPolicy& policy, int kernel_abi) {
  LandlockPlan plan;
  plan.kernel_abi = kernel_abi;
  auto lacks = [&](const std::string& what) {
    throw Failure(ExitCode::KernelLacks,
                  what + (kernel_abi == 0 ? std::string(", but Landlock is not supported or is disabled in this kernel")
                                          : ", but this kernel supports Landlock ABI " + std::to_string(kernel_abi)));
  };
  if (kernel_abi < policy.min_abi)
    lacks("the bundle requires Landlock ABI " + std::to_string(policy.min_abi) + " (min_abi)");
  plan.fs = policy.fs.has_value();
  auto optional_layer = [&](const char* name, int abi, bool best_effort, bool& applied) {
    if (abi <= kernel_abi) {
      applied = true;
      return;
    }
    if (!best_effort)
      lacks(std::string(name) + " needs Landlock ABI " + std::to_string(abi) + " and is not best effort");
    plan.dropped.push_back(
        {name, abi, "kernel Landlock ABI " + std::to_string(kernel_abi) + " < " + std::to_string(abi)});
  };
  if (policy.net) optional_layer("landlock.net", policy.net->abi, policy.net->best_effort, plan.net);
  if (policy.scope) optional_layer("landlock.scope", policy.scope->abi, policy.scope->best_effort, plan.scope);
  if (plan.any()) {
    plan.abi_used = policy.min_abi;
    if (plan.net) plan.abi_used = std::max(plan.abi_used, policy.net->abi);
    if (plan.scope) plan.abi_used = std::max(plan.abi_used, policy.scope->abi);
  }
  return plan;
}

}  // namespace polc::launcher
