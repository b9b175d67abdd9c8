// Stage: backends/network. The backend's entry point: from the IR's network rules to nftables.nft
// (always), squid.conf and egress.json (when the policy declares an egress proxy), and the
// coverage entries for every statement these files enforce.
#pragma once

#include <string>

#include "backends/backend.h"
#include "backends/enforcement.h"
#include "compiler/ir/ir.h"

namespace polc::backends::network {

struct NetworkArtifacts {
  std::string nftables;     // nftables.nft, always (every policy has the implicit metadata deny)
  std::string squid_conf;   // squid.conf, only when the policy declares a proxy (policy.network.proxy)
  std::string egress_json;  // egress.json, only when the policy declares a proxy
  Enforcements enforced;    // one entry per (statement, artifact) this backend enforces
};

// Never fails: every IR network rule has a translation (or, for bind rules, none by design). Pure
// and deterministic: the same IR yields byte-identical files and the same entries in the same order.
NetworkArtifacts emit(const ir::Policy& policy);

// The entry points of the two backends over this one emitter (backends/backend.h): `nftables`
// writes nftables.nft, `proxy` squid.conf and egress.json (none when the policy declares no
// proxy); each returns the claims of its own files only. Never nullopt.
std::optional<BackendOutput> run_nftables(const ir::Policy& policy, diag::Engine& engine, const EmitHooks& hooks = {});
std::optional<BackendOutput> run_proxy(const ir::Policy& policy, diag::Engine& engine, const EmitHooks& hooks = {});

}  // namespace polc::backends::network
