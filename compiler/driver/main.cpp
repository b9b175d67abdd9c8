// Stage: driver. The polc executable: dispatches to one verb. Library stages never exit; only this
// file turns their results into an exit status.
#include <iostream>
#include <map>

#include "compiler/driver/commands.h"

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
  static const std::map<std::string, int (*)(const Args&)> kVerbs = {
      {"check", cmd_check}, {"build", cmd_build}, {"eval", cmd_eval}, {"test", cmd_test}, {"diff", cmd_diff}, {"fmt", cmd_fmt}, {"ir", cmd_ir}, {"import", cmd_import}, {"explain", cmd_explain}, {"keygen", cmd_keygen}, {"sign", cmd_sign}, {"verify", cmd_verify}, {"inspect", cmd_inspect}, {"help", cmd_help}};
  auto it = kVerbs.find(verb);
  if (it == kVerbs.end()) {
    std::cerr << "polc: unknown verb `" << verb << "`\n(see `polc help`)\n";
    return kExitUsage;
  }
  try {
    return it->second(Args(all.begin() + 1, all.end()));
  } catch (const std::exception& e) {
    // Only compiler bugs get here: user errors are diagnostics. Fail closed with a distinct status.
    std::cerr << "polc: internal error: " << e.what() << "\n";
    return 3;
  }
}
