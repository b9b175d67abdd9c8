// Stage: bundle. Problem lists as text.
#include "compiler/bundle/problem.h"

namespace polc::bundle {

std::string describe(const Problems& problems) {
  std::string out = problems.size() == 1 ? "" : std::to_string(problems.size()) + " problems: ";
  for (size_t i = 0; i < problems.size(); ++i) {
    std::string message = problems[i].message;
    for (char& c : message)
      if (c == '\n' || c == '\r') c = ' ';
    out += (i == 0 ? "" : "; ") + message;
  }
  return out;
}

}  // namespace polc::bundle
