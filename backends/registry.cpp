// Stage: backends (the registry). Adding a backend adds one row here (see docs/architecture.md,
// "Adding a backend").
#include "backends/registry.h"

#include "backends/landlock/emit.h"
#include "backends/network/emit.h"
#include "backends/oci/emit.h"
#include "backends/os/emit.h"
#include "backends/seccomp/emit.h"

namespace polc::backends {

namespace {

// Build order, which is also the order `--backends` lists them in its error message.
constexpr Backend kBackends[] = {
    {"seccomp", "seccomp.<arch>.bpf, seccomp.<arch>.txt, seccomp.oci.json", &seccomp::run},
    {"landlock", "landlock.json", &landlock::run},
    {"nftables", "nftables.nft", &network::run_nftables},
    {"proxy", "squid.conf, egress.json", &network::run_proxy},
    {"os", "os.json", &os::run},
    {"oci", "oci-config.json", &oci::run},
};

}  // namespace

std::span<const Backend> registry() { return kBackends; }

const Backend* find_backend(std::string_view name) {
  for (const Backend& b : kBackends)
    if (b.name == name) return &b;
  return nullptr;
}

}  // namespace polc::backends
