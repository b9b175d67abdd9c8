// Stage: launcher. The pre-flight: read, verify, validate, plan.
#include "launcher/prepare.h"

#include "launcher/landlock_apply.h"
#include "launcher/masked_denies.h"

namespace polc::launcher {

Prepared prepare_launch(const Options& options, TrustDecision& trust,
                        const std::function<void(const Bundle&)>& on_bundle) {
  Prepared p{read_bundle(options.bundle),
             {},
             {},
             {},
             {},
             std::nullopt,
             {},
             0,
             {},
             false,
             std::nullopt,
             std::nullopt,
             std::nullopt};
  on_bundle(p.bundle);
  // Signatures first: nothing the trust file does not vouch for is parsed, let alone applied.
  check_trust(options, p.bundle, trust);
  p.trust = trust;

  p.landlock = parse_landlock_policy(p.bundle.required("landlock.json").bytes);
  // Artifacts of another policy (or another version) copied into the directory would still match
  // a manifest rewritten to list them; the files must agree on whose policy they are.
  if (p.landlock.policy_name != p.bundle.contents.manifest.policy_name ||
      p.landlock.policy_version != p.bundle.contents.manifest.policy_version)
    throw Failure(ExitCode::BundleInvalid, "landlock.json is for policy " + p.landlock.policy_name + " version " +
                                               std::to_string(p.landlock.policy_version) + ", manifest.json for " +
                                               p.bundle.contents.manifest.policy_name + " version " +
                                               std::to_string(p.bundle.contents.manifest.policy_version));
  p.seccomp = native_seccomp_program(p.bundle);
  // Required in every network mode: with --network-enforced-externally the caller vouches for
  // this very file, so it must be part of the bundle too.
  p.nftables = p.bundle.required("nftables.nft");
  // Optional; had the directory an unlisted egress.json, the reader would have refused it.
  if (const Artifact* egress = p.bundle.find("egress.json")) {
    p.proxy = parse_egress_proxy(egress->bytes);
    if (p.proxy) p.env = proxy_environment(*p.proxy);
  }

  if (const Artifact* attribution = p.bundle.find("attribution.json")) {
    // Signed like every artifact: one that does not parse is a broken bundle, not a detail.
    bundle::Problems problems;
    p.attribution = bundle::attribution_from_json(attribution->bytes, problems);
    if (!problems.empty()) throw Failure(ExitCode::BundleInvalid, "attribution.json: " + problems.front().message);
    if (p.attribution->policy_name != p.bundle.contents.manifest.policy_name ||
        p.attribution->policy_version != p.bundle.contents.manifest.policy_version)
      throw Failure(ExitCode::BundleInvalid, "attribution.json is for another policy or version than manifest.json");
  }

  // The OS layer, signed like the rest; parsed strictly (a mount skipped would run the payload
  // less confined than its policy says).
  if (const Artifact* os_json = p.bundle.find("os.json")) {
    p.os = plan_os_layer(os_json->bytes, p.attribution);
    // A deny beneath a grant that os.json masks is the mount layer's to enforce: Landlock's host
    // check of overlapping denies would otherwise refuse every such policy.
    if (p.landlock.fs) drop_masked_denies(p.landlock.fs->denies, p.os->spec);
  }

  p.kernel_abi = landlock_kernel_abi();
  try {
    p.plan = plan_landlock(p.landlock, p.kernel_abi);
  } catch (const Failure& refusal) {
    p.kernel_refusal = refusal;
  }
  p.seccomp_supported = kernel_has_seccomp_filter();
  if (!p.kernel_refusal && !p.seccomp_supported)
    p.kernel_refusal = Failure(ExitCode::KernelLacks,
                               "seccomp filters are unavailable (kernel without CONFIG_SECCOMP_FILTER, or seccomp(2) "
                               "blocked by an outer sandbox)");
  return p;
}

}  // namespace polc::launcher
