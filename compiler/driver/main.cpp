// Stage: driver. The polc executable: dispatches to one verb of the verb table. Library stages never
// exit; only this file turns their results into an exit status.
#include <iostream>

#include "compiler/driver/commands.h"
#include "compiler/driver/verbs.h"

int main(int argc, char** argv) {
  using namespace polc::driver;
  const Args all(argv + 1, argv + argc);
  if (all.empty()) {
    print_help("");
    return kExitUsage;
  }
  const std::string& verb = all[0];
  if ((verb == "--version" || verb == "-V") && all.size() > 1) {
    std::cerr << "polc: --version takes no arguments\n";
    return kExitUsage;
  }
  if (verb == "--version" || verb == "-V") {
    std::cout << "polc " << version() << "\n";
    return kExitOk;
  }
  if (verb == "--help" || verb == "-h") {
    print_help("");
    return kExitOk;
  }
  const Verb* v = find_verb(verb);
  if (v == nullptr) {
    std::cerr << "polc: unknown verb `" << verb << "`\n(see `polc help`)\n";
    return kExitUsage;
  }
  try {
    return v->entry(Args(all.begin() + 1, all.end()));
  } catch (const std::exception& e) {
    // Only compiler bugs get here: user errors are diagnostics. Fail closed with a distinct status.
    std::cerr << "polc: internal error: " << e.what() << "\n";
    return 3;
  }
}
