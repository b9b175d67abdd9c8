// Stage: verify. Readable witnesses (see net_witness.h).
#include "compiler/verify/net_witness.h"

#include <algorithm>

namespace polc::verify {

void WitnessHints::add(const NetShape& shape) {
  blocks.insert(blocks.end(), shape.blocks.begin(), shape.blocks.end());
  for (const ir::PortRange& p : shape.ports) ports.push_back(p.low);
}

void WitnessHints::add(const std::vector<const NetShape*>& shapes) {
  for (const NetShape* s : shapes) add(*s);
}

NetRequest simplified(const NetRequest& w, const WitnessHints& hints, const std::function<bool(const NetRequest&)>& keep) {
  NetRequest out = w;
  if (w.dest == NetRequest::Dest::Address) {
    std::vector<Block> around;
    for (const Block& b : hints.blocks)
      if (contains(b, w.addr)) around.push_back(b);
    // Widest first: its first addresses are the simplest to read.
    std::sort(around.begin(), around.end(), [](const Block& a, const Block& b) { return a.prefix < b.prefix; });
    bool done = false;
    for (const Block& b : around) {
      std::vector<Addr128> candidates;
      if (b.prefix < 128) candidates.push_back({b.addr.hi, b.addr.lo | 1});
      candidates.push_back(b.addr);
      for (const Addr128& a : candidates) {
        NetRequest c = out;
        c.addr = a;
        if (keep(c)) {
          out = c;
          done = true;
          break;
        }
      }
      if (done) break;
    }
  }
  std::vector<uint16_t> ports = hints.ports;
  std::sort(ports.begin(), ports.end());
  for (uint16_t p : ports) {
    if (p >= out.port) break;
    NetRequest c = out;
    c.port = p;
    if (keep(c)) {
      out = c;
      break;
    }
  }
  return out;
}

}  // namespace polc::verify
