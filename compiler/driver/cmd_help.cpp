// Stage: driver. `polc help [VERB]`, `--help` on every verb, and the overview, all printed from the
// verb table.
#include <iostream>
#include <string>

#include "backends/registry.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/verbs.h"
#include "compiler/sema/stdlib.h"

namespace polc::driver {

namespace {

// Synopses are padded to this width so that the summaries line up.
constexpr size_t kSynopsisWidth = 18;

std::string overview() {
  std::string text =
      "polc - compile and check sandbox policies (.sbx)\n\nusage: polc <verb> [options] [files]\n\nverbs:\n";
  auto line = [&](std::string_view synopsis, std::string_view summary) {
    text += "  ";
    text += synopsis;
    text.append(synopsis.size() < kSynopsisWidth ? kSynopsisWidth - synopsis.size() : 1, ' ');
    text += summary;
    text += "\n";
  };
  for (const Verb& v : all_verbs()) line(v.synopsis, v.summary);
  line("--version", "print polc's version");
  text += "\nRun `polc help VERB` or `polc VERB --help` for a verb's options.\n";
  return text;
}

// A verb's help with "{backends}" replaced by the registry's names, in build order.
std::string with_backends(std::string_view text) {
  std::string out(text);
  std::string names;
  for (const backends::Backend& b : backends::registry()) names += (names.empty() ? "" : ", ") + std::string(b.name);
  if (const size_t at = out.find("{backends}"); at != std::string::npos) out.replace(at, 10, names);
  return out;
}

}  // namespace

void print_help(std::string_view verb) {
  const Verb* v = verb.empty() ? nullptr : find_verb(verb);
  if (v == nullptr) {
    std::cout << overview();
    return;
  }
  std::cout << with_backends(v->help);
  if (v->name == "import") {  // the verb, and the modules the `import` statement loads
    std::cout << "\nstandard library modules built into this polc:\n";
    for (const auto& m : sema::embedded_stdlib()) std::cout << "  " << m.name << "\n";
  }
}

int cmd_help(const Args& args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    print_help("help");
    return kExitOk;
  }
  if (args.size() > 1) {
    std::cerr << "polc help: give at most one verb\n";
    return kExitUsage;
  }
  if (!args.empty() && find_verb(args[0]) == nullptr) {
    std::cerr << "polc help: no verb `" << args[0] << "`\n" << overview();
    return kExitUsage;
  }
  print_help(args.empty() ? "" : args[0]);
  return kExitOk;
}

}  // namespace polc::driver
