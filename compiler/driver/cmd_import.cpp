// Stage: driver. `polc import oci PROFILE.json`: an OCI/Docker seccomp profile as a .sbx policy.
#include <cctype>
#include <filesystem>
#include <iostream>

#include "compiler/driver/output_file.h"
#include "compiler/driver/session.h"
#include "compiler/import/oci_import.h"
#include "compiler/import/oci_vocab.h"
#include "compiler/sema/loader.h"
#include "compiler/sema/suggest.h"

namespace polc::driver {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> split_list(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    size_t start = 0;
    while (start <= v.size()) {
      const size_t comma = std::min(v.find(',', start), v.size());
      std::string item = v.substr(start, comma - start);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) out.push_back(item);
      start = comma + 1;
    }
  }
  return out;
}

bool is_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// docker-default.json -> docker_default: the file name without extensions, as an identifier.
std::string policy_name_for(const std::string& path) {
  if (path == "-") return "imported";
  std::string stem = fs::path(path).filename().string();
  stem = stem.substr(0, stem.find('.'));
  std::string out;
  for (char c : stem) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty()) return "imported";
  if (std::isdigit(static_cast<unsigned char>(out[0]))) out = "profile_" + out;
  return out;
}

}  // namespace

int cmd_import(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "import", {"--arch=", "--caps=", "--kernel=", "--name=", "-o="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  auto usage = [](const std::string& msg) {
    std::cerr << "polc import: " << msg << "\n(see `polc import --help`)\n";
    return kExitUsage;
  };
  if (o->files.empty() || o->files[0] != "oci")
    return usage(o->files.empty() ? "give the profile's format and file: polc import oci PROFILE.json"
                                  : "unknown profile format `" + o->files[0] + "`: polc imports `oci` profiles");
  if (o->files.size() != 2) return usage("give exactly one profile file");

  import::ImportOptions options;
  for (const std::string& a : split_list(values_of(*o, "--arch"))) {
    auto arch = arch::from_name(a);
    if (!arch)
      return usage("unknown architecture `" + a + "` (supported: " + std::string(arch::supported_list()) + ")");
    options.targets.push_back(*arch);
  }
  if (options.targets.empty()) options.targets.push_back(arch::Arch::x86_64);

  const auto caps_given = values_of(*o, "--caps");
  options.docker_default_caps = caps_given.empty();
  for (std::string c : caps_given.empty() ? std::vector<std::string>{"default"} : split_list(caps_given)) {
    if (c == "default") {
      for (std::string_view d : import::docker_default_caps()) options.caps.emplace_back(d);
      continue;
    }
    for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (!import::is_capability(c)) {
      const std::string near = sema::closest_match(c, import::capability_names());
      return usage("unknown capability `" + c + "`" + (near.empty() ? "" : "; did you mean `" + near + "`?"));
    }
    options.caps.push_back(c);
  }
  if (auto k = value_of(*o, "--kernel")) {
    options.kernel = import::parse_kernel_version(*k);
    if (!options.kernel) return usage("--kernel takes a version like 5.15, not `" + *k + "`");
  }
  const std::string& path = o->files[1];
  options.policy_name = policy_name_for(path);
  if (auto n = value_of(*o, "--name")) {
    if (!is_identifier(*n)) return usage("--name must be an identifier (letters, digits, `_`), not `" + *n + "`");
    options.policy_name = *n;
  }
  const auto output = value_of(*o, "-o");
  if (output && output->empty()) return usage("-o needs a file name");
  options.profile_name = path == "-" ? "<stdin>" : fs::path(path).filename().string();
  options.output_name = output ? *output : "<stdout>";

  diag::SourceManager sources;
  diag::Engine engine(sources);
  import::ImportResult result;
  if (auto fid = sema::read_source(engine, path, {})) result = import::import_oci(engine, *fid, options);
  // stdout may carry the policy, so diagnostics always go to stderr.
  const int status = report(engine, *o, /*to_stderr=*/true);
  if (status != kExitOk || !result.source) return status == kExitOk ? kExitErrors : status;
  if (!output) {
    std::cout << *result.source;
    return kExitOk;
  }
  if (auto error = write_file_atomically(*output, *result.source)) {
    std::cerr << "polc import: cannot write " << *output << ": " << *error << "\n";
    return kExitErrors;
  }
  return kExitOk;
}

}  // namespace polc::driver
