// Stage: driver. `polc explain CODE` and `polc explain --list`.
#include <algorithm>
#include <iostream>

#include "compiler/diag/codes.h"
#include "compiler/driver/commands.h"

namespace polc::driver {

int cmd_explain(const Args& args) {
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    print_help("explain");
    return kExitOk;
  }
  if (args.size() == 1 && args[0] == "--list") {
    for (const diag::CodeInfo& c : diag::all_codes()) std::cout << c.id << "  " << c.name << "  " << c.summary << "\n";
    return kExitOk;
  }
  if (args.size() != 1) {
    std::cerr << "polc explain: give one diagnostic code, like E0201, or --list\n";
    return kExitUsage;
  }
  const diag::CodeInfo* c = diag::find_code(args[0]);
  if (c == nullptr) {
    std::cerr << "polc explain: no diagnostic code `" << args[0] << "` (see `polc explain --list`)\n";
    return kExitUsage;
  }
  std::cout << c->id << " (" << c->name << "): " << c->summary << "\n\n" << c->explanation << "\n";
  return kExitOk;
}

}  // namespace polc::driver
