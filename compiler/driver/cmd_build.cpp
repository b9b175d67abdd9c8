// Stage: driver. `polc build FILE -o DIR`: analyzes a policy, runs the selected backends, checks
// that every statement is enforced, and writes the bundle to DIR/<policy name>/ atomically.
#include <iostream>

#include "compiler/driver/build_bundle.h"
#include "compiler/driver/output_dir.h"
#include "compiler/driver/session.h"

namespace polc::driver {

int cmd_build(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "build", {"-o=", "--output=", "--backends=", "--explain-coverage", "--solver-rlimit="},
                         help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (auto err = apply_solver_options(*o)) {
    std::cerr << "polc build: " << *err << "\n(see `polc build --help`)\n";
    return kExitUsage;
  }
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
  BackendSelection selected;
  if (auto err = parse_backends(values_of(*o, "--backends"), selected)) {
    std::cerr << "polc build: " << *err << "\n(see `polc build --help`)\n";
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
  std::optional<Bundle> bundle;
  if (policy) bundle = build_bundle(*policy, selected, engine);
  // Warnings under --werror stop the build too: nothing is written unless the build succeeds.
  if (!bundle || engine.has_errors() || (o->werror && engine.warning_count() > 0)) return report(engine, *o);
  const std::string dest = *out_dir + "/" + policy->name;
  if (auto err = write_directory_atomically(dest, bundle->files)) {
    engine.report(diag::Code::OutputNotWritten, {}, *err);
    return report(engine, *o);
  }
  const int status = report(engine, *o);
  if (has_flag(*o, "--explain-coverage")) std::cout << bundle::coverage_text(bundle->coverage);
  if (status == kExitOk && o->format == diag::Format::Human) {
    const verify::Verdicts& v = bundle->verdicts;
    std::cerr << "polc build: proved with " << v.solver << ": " << v.assertions.size() << " assertions, "
              << v.programs.size() << " programs equivalent to the policy; " << v.expectations_passed
              << " test expectations passed\n";
    std::cerr << "polc build: wrote " << bundle->files.size() << " files to " << dest << "/\n";
  }
  return status;
}

}  // namespace polc::driver
