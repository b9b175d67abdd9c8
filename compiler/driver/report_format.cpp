// Stage: driver. See report_format.h.
#include "compiler/driver/report_format.h"

namespace polc::driver {

FormatOption take_format(const Args& args) {
  FormatOption f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--format=", 0) == 0) {
      f.value = a.substr(9);
    } else if (a == "--format") {
      if (i + 1 < args.size()) f.value = args[++i];
      else f.missing_value = true;
    } else {
      f.rest.push_back(a);
    }
  }
  return f;
}

}  // namespace polc::driver
