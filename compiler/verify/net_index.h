// Stage: verify. The rules that can match one concrete request, found without reading the others:
// the lookup behind the network checks' exact pre-check (net_checks.cpp), so that checking n rules
// costs about n lookups instead of n scans of the whole section.
//
// A shape is filed under its hosts: each address block under (prefix length, block address), each
// domain under its name (exact names and wildcard bases apart), and a shape without hosts under
// each of its ports when it has few, else in one short list read for every request. A request's
// candidates are then the shapes filed under the blocks that contain its address (one lookup per
// prefix length in use), under its name and each wildcard base above it, and under its port. The
// candidates are a superset of the matching shapes: callers still ask net_model's `matches`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/verify/net_model.h"

namespace polc::verify {

class NetIndex {
 public:
  explicit NetIndex(const std::vector<const NetShape*>& shapes);
  // Every shape that may match `request` (some more than once); those that do are among them.
  std::vector<const NetShape*> candidates(const NetRequest& request) const;

 private:
  static constexpr uint32_t kMaxFiledPorts = 64;  // a hostless shape with more ports goes to wide_
  std::map<unsigned, std::map<Addr128, std::vector<const NetShape*>>> blocks_;  // by prefix, block
  std::unordered_map<std::string, std::vector<const NetShape*>> names_;         // exact domains
  std::unordered_map<std::string, std::vector<const NetShape*>> wildcards_;     // wildcard bases
  std::unordered_map<uint16_t, std::vector<const NetShape*>> hostless_by_port_;
  std::vector<const NetShape*> wide_;  // hostless shapes with many ports
};

}  // namespace polc::verify
