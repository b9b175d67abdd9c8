// Stage: launcher. The OS layer's statements (os_attribution.h).
#include "launcher/os_attribution.h"

#include "launcher/os/os_json.h"

namespace polc::launcher {

std::map<std::string, telemetry::RuleRef> os_rules(const bundle::Attribution& attribution, os::OsSpec& spec) {
  std::map<std::string, telemetry::RuleRef> rules;
  if (!attribution.os) return rules;
  const bundle::AttrOs& a = *attribution.os;
  for (const auto& [name, limit] : a.limits) {
    telemetry::RuleRef rule;
    rule.known = true;
    rule.at = limit.at;
    rule.text = limit.text;
    rules[name] = rule;
  }
  // The statements' locations also go into the spec, for the mounts' and workspaces' messages.
  for (os::Mount& m : spec.mounts) {
    for (const bundle::AttrOsMount& am : a.mounts) {
      if (am.kind != os::mount_kind_name(m.kind) || am.path != m.path) continue;
      m.at = am.at;
      telemetry::RuleRef rule;
      rule.known = true;
      rule.at = am.at;
      rules[am.kind + " " + am.path] = rule;
    }
  }
  for (os::Workspace& w : spec.workspaces) {
    for (const bundle::AttrOsWorkspace& aw : a.workspaces) {
      if (aw.path != w.path) continue;
      w.at = aw.at;
      telemetry::RuleRef rule;
      rule.known = true;
      rule.at = aw.at;
      rules[aw.path] = rule;
    }
  }
  return rules;
}

}  // namespace polc::launcher
