// Stage: backends/landlock. The network layer (Landlock ABI 4): which TCP ports the sandbox may
// connect to and bind. Landlock sees ports, not addresses, so this layer over-approximates rules
// that name addresses (nftables enforces those exactly) and enforces port-only rules in full.
#pragma once

#include <optional>
#include <vector>

#include "backends/enforcement.h"
#include "compiler/ir/ir.h"

namespace polc::backends::landlock {

struct NetLayer {
  bool best_effort = false;  // newer than the policy's minimum ABI, and declared best effort
  // nullopt: that access is not restricted (every port is allowed); else the allowed ports.
  std::optional<std::vector<ir::PortRange>> connect_tcp;
  std::optional<std::vector<ir::PortRange>> bind_tcp;
};

// nullopt when the policy has no network section, or when its minimum ABI is below 4 and it did
// not declare `landlock best_effort network` (nftables alone then enforces the network rules).
std::optional<NetLayer> net_layer(const ir::Policy& policy, Enforcements& enforced);

}  // namespace polc::backends::landlock
