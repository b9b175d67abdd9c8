// Stage: launcher. The OS layer's statements (os_attribution.h).
#include "launcher/os_attribution.h"

namespace polc::launcher {

std::map<std::string, telemetry::RuleRef> os_rules(const bundle::Attribution& attribution, const os::OsSpec& spec) {
  (void)attribution;
  (void)spec;
  return {};
}

}  // namespace polc::launcher
