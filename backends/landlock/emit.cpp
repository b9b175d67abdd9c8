// Stage: backends/landlock. landlock.json: the minimum ABI, then one object per layer (filesystem
// rights, TCP ports, scopes), each null when the policy does not use it. Layers newer than the
// minimum ABI carry `"best_effort": true`: the policy declared that launchers may drop them on
// kernels without them (and must say so in their audit trail).
#include "backends/landlock/emit.h"

#include <nlohmann/json.hpp>

#include "backends/landlock/fs_layer.h"
#include "backends/landlock/net_layer.h"
#include "compiler/ir/landlock_names.h"

namespace polc::backends::landlock {

namespace {

using nlohmann::json;

json path_rules_json(const std::vector<PathRule>& rules) {
  json out = json::array();
  for (const PathRule& r : rules) out.push_back({{"path", r.path}, {"access", ir::fs_right_names(r.access)}});
  return out;
}

json fs_json(const FsLayer& fs) {
  return {{"handled_access", ir::fs_right_names(fs.handled)},
          {"rules", path_rules_json(fs.rules)},
          {"denies", path_rules_json(fs.denies)}};
}

json ports_json(const std::vector<ir::PortRange>& ranges) {
  json out = json::array();
  for (const ir::PortRange& r : ranges) out.push_back({r.low, r.high});
  return out;
}

json net_json(const NetLayer& net) {
  json handled = json::array();
  json rules = json::array();
  if (net.bind_tcp) {
    handled.push_back(ir::net_right_name(ir::net_right::kBindTcp));
    if (!net.bind_tcp->empty())
      rules.push_back(
          {{"access", {ir::net_right_name(ir::net_right::kBindTcp)}}, {"ports", ports_json(*net.bind_tcp)}});
  }
  if (net.connect_tcp) {
    handled.push_back(ir::net_right_name(ir::net_right::kConnectTcp));
    if (!net.connect_tcp->empty())
      rules.push_back(
          {{"access", {ir::net_right_name(ir::net_right::kConnectTcp)}}, {"ports", ports_json(*net.connect_tcp)}});
  }
  if (handled.empty()) return nullptr;  // every port allowed both ways: nothing to restrict
  return {{"abi", ir::kNetworkAbi}, {"best_effort", net.best_effort}, {"handled_access", handled}, {"rules", rules}};
}

json scope_json(const ir::Filesystem& fs, Enforcements& enforced) {
  if (fs.scopes == 0) return nullptr;
  const bool best_effort = fs.min_abi < ir::kScopeAbi;
  for (const ir::Origin& o : fs.scope_origins)
    enforced.push_back({o, "landlock.json", Extent::Full,
                        std::string("scopes the sandbox's signals and abstract unix sockets") +
                            (best_effort ? " (best effort: kernels with Landlock ABI 6)" : "")});
  return {{"abi", ir::kScopeAbi}, {"best_effort", best_effort}, {"scoped", ir::scope_names(fs.scopes)}};
}

}  // namespace

std::optional<LandlockArtifacts> emit(const ir::Policy& policy, diag::Engine& engine) {
  LandlockArtifacts out;
  const size_t errors_before = engine.error_count();
  json fs = nullptr;
  if (policy.filesystem.present) {
    fs = fs_json(fs_layer(policy.filesystem, out.enforced, out.unenforceable));
    if (policy.filesystem.min_abi > 0)
      out.enforced.push_back({policy.filesystem.abi_origin, "landlock.json", Extent::Full,
                              "handles every filesystem right of ABI " + std::to_string(policy.filesystem.min_abi) +
                                  ": refused wherever no rule grants it"});
  }
  json net = nullptr;
  if (auto layer = net_layer(policy, out.enforced)) net = net_json(*layer);
  json doc = {{"format", "polc.landlock/1"},
              {"policy", {{"name", policy.name}, {"version", policy.version}}},
              {"min_abi", policy.filesystem.min_abi},
              {"fs", fs},
              {"net", net},
              {"scope", scope_json(policy.filesystem, out.enforced)}};
  if (engine.error_count() > errors_before) return std::nullopt;
  out.json = doc.dump(2) + "\n";
  return out;
}

std::optional<BackendOutput> run(const ir::Policy& policy, diag::Engine& engine, const EmitHooks&) {
  auto emitted = emit(policy, engine);
  if (!emitted) return std::nullopt;
  BackendOutput out;
  out.files["landlock.json"] = bytes_of(emitted->json);
  out.enforced = std::move(emitted->enforced);
  out.unenforceable = std::move(emitted->unenforceable);
  return out;
}

}  // namespace polc::backends::landlock
