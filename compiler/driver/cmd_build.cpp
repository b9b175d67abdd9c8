// Stage: driver. `polc build FILE -o DIR`: analyzes a policy, runs every backend, and writes the
// artifacts to DIR/<policy name>/ atomically.
#include <iostream>

#include "backends/seccomp/emit.h"
#include "compiler/driver/output_dir.h"
#include "compiler/driver/session.h"

namespace polc::driver {

namespace {

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace

int cmd_build(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "build", {"-o=", "--output="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (o->files.size() != 1) {
    std::cerr << "polc build: give exactly one policy file\n(see `polc build --help`)\n";
    return kExitUsage;
  }
  auto out_dir = value_of(*o, "-o");
  if (auto long_form = value_of(*o, "--output")) out_dir = long_form;
  if (!out_dir || out_dir->empty()) {
    std::cerr << "polc build: say where to write the artifacts with -o DIR\n(see `polc build --help`)\n";
    return kExitUsage;
  }
  diag::SourceManager sources;
  diag::Engine engine(sources);
  auto policy = analyze_file(engine, o->files[0], *o);
  if (!engine.has_errors() && !policy) {
    report(engine, *o);
    std::cerr << "polc build: `" << o->files[0] << "` is a module; only policies are built\n";
    return kExitUsage;
  }
  Artifacts files;
  if (policy) {
    if (auto seccomp = backends::seccomp::emit(*policy, engine)) {
      for (const auto& p : seccomp->programs) {
        const std::string arch_name(arch::name(p.arch));
        files["seccomp." + arch_name + ".bpf"] = p.raw;
        files["seccomp." + arch_name + ".txt"] = bytes_of(p.listing);
      }
      if (!seccomp->oci_json.empty()) files["seccomp.oci.json"] = bytes_of(seccomp->oci_json);
    }
  }
  // Warnings under --werror stop the build too: nothing is written unless the build succeeds.
  if (engine.has_errors() || (o->werror && engine.warning_count() > 0)) return report(engine, *o);
  const std::string dest = *out_dir + "/" + policy->name;
  if (auto err = write_directory_atomically(dest, files)) {
    engine.report(diag::Code::OutputNotWritten, {}, *err);
    return report(engine, *o);
  }
  const int status = report(engine, *o);
  if (status == kExitOk && o->format == diag::Format::Human)
    std::cerr << "polc build: wrote " << files.size() << " artifacts to " << dest << "/\n";
  return status;
}

}  // namespace polc::driver
