// Stage: launcher. Everything sbx-exec decides before it changes anything: the verified bundle,
// the parsed layers, and what this kernel will get. A real run and --dry-run share it, so the
// dry run shows exactly what a run would apply.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/bundle/attribution_schema.h"
#include "launcher/bundle.h"
#include "launcher/errors.h"
#include "launcher/landlock_policy.h"
#include "launcher/options.h"
#include "launcher/os_layer.h"
#include "launcher/proxy_env.h"
#include "launcher/seccomp_apply.h"
#include "launcher/trust_check.h"

namespace polc::launcher {

struct Prepared {
  Bundle bundle;
  TrustDecision trust;  // accepted, or unchecked with --insecure-dev-unsigned
  LandlockPolicy landlock;
  SeccompProgram seccomp;
  Artifact nftables;  // verified nftables.nft
  std::optional<Proxy> proxy;
  std::vector<std::pair<std::string, std::string>> env;
  int kernel_abi = 0;
  LandlockPlan plan;  // valid when !kernel_refusal
  bool seccomp_supported = false;
  // attribution.json: what the supervisor's telemetry attributes refusals with. Absent in bundles
  // built before it existed (events then carry no statement, and a notice says why).
  std::optional<bundle::Attribution> attribution;
  // Set when this kernel cannot run the bundle as it requires (exit 122). Kept rather than
  // thrown so that --dry-run can still print what the bundle asks for.
  std::optional<Failure> kernel_refusal;
  // os.json (the OS layer: namespaces, limits, mounts, workspaces), when the manifest lists one;
  // bundles built before it existed have none and get no OS layer. Its own refusal on this machine
  // (os->refusal) is kept like kernel_refusal.
  std::optional<OsPlan> os;
};

// Reads and verifies the bundle, checks it against the trust file (before any artifact is
// parsed), and validates every layer (Failure BundleInvalid on any problem), then plans the
// Landlock layers for this kernel. Changes nothing in the process.
// `on_bundle` is called as soon as the bundle is verified, and `trust` is filled in as the trust
// check proceeds, so the audit line can name both even when a later check refuses.
Prepared prepare_launch(const Options& options, TrustDecision& trust,
                        const std::function<void(const Bundle&)>& on_bundle);

}  // namespace polc::launcher
