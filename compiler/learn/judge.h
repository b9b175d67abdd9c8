// Stage: learn. What a policy decides for one recorded event, in the IR evaluator's terms (the
// reference the emitted filters are proved equal to): `polc learn --against` runs the workload
// with these decisions applied by the recorder, and the patch writer replays recordings with them.
#pragma once

#include <string>
#include <vector>

#include "compiler/ir/ir.h"
#include "compiler/learn/recording.h"

namespace polc::learn {

struct Judgement {
  enum class Kind : uint8_t { Allow, Refuse, Kill } kind = Kind::Allow;
  // The errno the call fails with (Refuse): the policy's errno for a syscall rule, EACCES for a
  // Landlock right or a network endpoint (what Landlock returns for both).
  int err = 0;
  // The statements that decided a refusal (empty: a default, or nothing in the policy can allow it
  // without a new rule). An `allow` added beside one of these would not help: the most
  // restrictive rule wins, and network and filesystem denies always beat allows.
  std::vector<ir::Origin> deciding;
  std::string default_text;  // for a default refusal: "default errno(EPERM)", "not granted", ...
};

// Calls are decided on their own target (foreign arches as the policy decides them); file accesses
// by Landlock's rules (the make_*, remove_* and refer rights on the parent directory of the entry,
// every other right on the path itself); endpoints by the network section (a send with a
// destination is a connect; unix sockets and name lookups are allowed: the network section does not
// decide them). An Exec is allowed here: its `execute` right is its own FileAccess event.
Judgement judge(const ir::Policy& policy, const Event& event);

// The directory Landlock checks `right` on for an access to `path`: the parent for make_*, remove_*
// and refer, the path itself otherwise.
std::string checked_path(const std::string& path, const std::string& right);

}  // namespace polc::learn
