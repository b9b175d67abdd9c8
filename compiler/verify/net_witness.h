// Stage: verify. Readable witnesses. Z3 answers with whatever request satisfies a query, often an
// address with arbitrary low bits ("connect tcp 3008 to 10.20.69.219"). A reviewer reads a
// witness faster when it sits at the start of the blocks and port ranges the rules name
// ("connect tcp 3000 to 10.20.0.1"), so the model's request is moved there whenever the same
// property still holds, checked concretely (net_model.h) for each candidate.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "compiler/verify/net_model.h"

namespace polc::verify {

// Where simpler requests may be: blocks whose first addresses, and ports, to try.
struct WitnessHints {
  std::vector<Block> blocks;
  std::vector<uint16_t> ports;

  // The shape's blocks and the starts of its port ranges.
  void add(const NetShape& shape);
  void add(const std::vector<const NetShape*>& shapes);
};

// A request both shapes match, read off their structure (the first shared port, the narrower of
// two shared hosts, 192.0.2.1 when both take every host), or none when nothing is shared. Saves a solver query per
// note; the caller checks it against what else it requires.
std::optional<NetRequest> shared_request(const NetShape& a, const NetShape& b);

// `w`, or a simpler request that `keep` also accepts: the address moved to the first host (then
// the network address) of the widest hinted block that contains it, and the port lowered to the
// lowest hinted port, each change kept only if `keep` still holds.
NetRequest simplified(const NetRequest& w, const WitnessHints& hints,
                      const std::function<bool(const NetRequest&)>& keep);

}  // namespace polc::verify
