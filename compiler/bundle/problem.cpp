// Stage: bundle. Problem lists as text.
#include "compiler/bundle/problem.h"

namespace polc::bundle {

std::string describe(const Problems& problems) {
  std::string out;
  for (const Problem& p : problems) {
    if (!out.empty()) out += "\n";
    out += p.message;
  }
  return out;
}

}  // namespace polc::bundle
