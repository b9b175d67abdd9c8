// Stage: driver. One policy file from source to a bundle in memory: analysis, the placing of its
// sources, every selected backend, the coverage map and the manifest. What `polc build` writes and
// `polc run` launches; nothing is written here.
#pragma once

#include <optional>
#include <string>

#include "compiler/driver/build_bundle.h"
#include "compiler/driver/options.h"

namespace polc::driver {

struct BuiltPolicy {
  std::string name;  // the policy's name: the bundle's directory is DIR/<name>
  Bundle bundle;
};

// nullopt when errors (or warnings under --werror) were reported to `engine`, or when `file` is a
// module (`*is_module` is then set; the caller reports the usage error).
std::optional<BuiltPolicy> build_policy_file(const std::string& file, BuildInputs inputs, const CommonOptions& o,
                                             diag::Engine& engine, bool* is_module);

}  // namespace polc::driver
