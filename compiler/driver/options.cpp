// Stage: driver. Shared option parsing.
#include "compiler/driver/options.h"

#include <algorithm>
#include <iostream>

namespace polc::driver {

std::string_view version() { return POLC_VERSION; }

std::optional<CommonOptions> parse_options(const Args& args, std::string_view verb,
                                           const std::vector<std::string>& extra_flags, bool& help_shown) {
  help_shown = false;
  CommonOptions o;
  auto usage = [&](const std::string& msg) -> std::optional<CommonOptions> {
    std::cerr << "polc " << verb << ": " << msg << "\n(see `polc " << verb << " --help`)\n";
    return std::nullopt;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) -> bool {
      if (auto eq = a.find('='); eq != std::string::npos) {
        out = a.substr(eq + 1);
        return true;
      }
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      print_help(verb);
      help_shown = true;
      return std::nullopt;
    }
    if (a == "--werror" || a == "--strict") {  // --strict: the verifier's warnings are findings too
      o.werror = true;
    } else if (a == "--format" || a.rfind("--format=", 0) == 0) {
      std::string f;
      if (!value(f)) return usage("--format needs a value: human, json or sarif");
      if (f == "human") o.format = diag::Format::Human;
      else if (f == "json") o.format = diag::Format::Json;
      else if (f == "sarif") o.format = diag::Format::Sarif;
      else return usage("unknown format `" + f + "`: use human, json or sarif");
    } else if (a == "--stdlib" || a.rfind("--stdlib=", 0) == 0) {
      if (!value(o.stdlib_dir)) return usage("--stdlib needs a directory");
    } else if (std::find(extra_flags.begin(), extra_flags.end(), a) != extra_flags.end()) {
      o.flags.push_back(a);
    } else if (const std::string name = a.substr(0, a.find('='));
               std::find(extra_flags.begin(), extra_flags.end(), name + "=") != extra_flags.end()) {
      std::string v;
      if (!value(v)) return usage(name + " needs a value");
      o.values.emplace_back(name, v);
    } else if (a.size() > 1 && a[0] == '-') {  // "-" alone is standard input, a file
      return usage("unknown option `" + a + "`");
    } else {
      o.files.push_back(a);
    }
  }
  if (std::count(o.files.begin(), o.files.end(), "-") > 1) return usage("standard input (`-`) can be read only once");
  return o;
}

bool has_flag(const CommonOptions& o, std::string_view flag) {
  return std::find(o.flags.begin(), o.flags.end(), flag) != o.flags.end();
}

std::optional<std::string> value_of(const CommonOptions& o, std::string_view option) {
  std::optional<std::string> last;
  for (const auto& [name, v] : o.values)
    if (name == option) last = v;
  return last;
}

std::vector<std::string> values_of(const CommonOptions& o, std::string_view option) {
  std::vector<std::string> out;
  for (const auto& [name, v] : o.values)
    if (name == option) out.push_back(v);
  return out;
}

}  // namespace polc::driver
