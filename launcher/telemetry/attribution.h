// Stage: launcher telemetry. The attribution of one refusal: which statement of the policy decided
// it, from the bundle's attribution.json (compiler/bundle/attribution_schema.h, signed with the
// bundle) and the manifest's coverage map (the statements' texts by location). The event's source
// fills the layer, the request and, for seccomp, the bare decision the kernel recorded ("errno",
// "kill_process", ...: audit records carry no errno value); this fills `rule` and, when every
// statement that could have decided says the same, `decision` as the policy spells it.
//
// It follows the policy's semantics, not the artifacts': seccomp decides the most restrictive of
// the rules whose conditions hold (arguments truncated to each comparison's width), else the
// default; a Landlock right nothing grants is denied by the `landlock abi` statement unless a deny
// rule covering the path says so first; the proxy refuses what a deny rule matches or nothing
// allows. Without the arguments (audit gives none), every rule that could have produced the
// recorded decision is a candidate.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/bundle/attribution_schema.h"
#include "compiler/bundle/manifest_schema.h"
#include "launcher/telemetry/event.h"

namespace polc::telemetry {

// Written in RuleRef::candidates for the seccomp default when the policy writes no `default`
// statement (the implicit kill_process has no location).
inline constexpr const char* kImplicitDefault = "default";

class Attributor {
 public:
  Attributor(bundle::Attribution attribution, const std::vector<bundle::ManifestStatement>& coverage);

  // Fills event.rule (and refines event.decision) from event.layer and event.request. For
  // nftables, `nflog_prefix` is the prefix of the log rule that reported the packet.
  void attribute(Event& event, std::string_view nflog_prefix = {}) const;

  const bundle::Attribution& attribution() const { return attribution_; }

 private:
  // request.syscall from request.nr and request.arch (seccomp's records, and the SYSCALL record
  // of a Landlock refusal).
  void name_syscall(Event& event) const;
  void seccomp(Event& event) const;
  void landlock(Event& event) const;
  void nftables(Event& event, std::string_view prefix) const;
  void proxy(Event& event) const;
  // `at` and its statement text; several locations become candidates.
  void set_rule(RuleRef& rule, const std::vector<std::string>& locations, bool is_default) const;

  bundle::Attribution attribution_;
  std::map<std::string, std::string, std::less<>> texts_;  // location -> statement, from coverage
};

}  // namespace polc::telemetry
