// Stage: driver. `polc check FILE...` (the front end and the backends, without output) and
// `polc ir FILE`.
#include <iostream>

#include "compiler/driver/build_bundle.h"
#include "compiler/driver/seccomp_options.h"
#include "compiler/driver/session.h"
#include "compiler/ir/json.h"

namespace polc::driver {

int cmd_check(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "check", {"--solver-rlimit=", "--seccomp-codegen=", "--syscall-mix=", "--backends="}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (auto err = apply_solver_options(*o)) {
    std::cerr << "polc check: " << *err << "\n(see `polc check --help`)\n";
    return kExitUsage;
  }
  if (auto err = apply_seccomp_options(*o)) {
    std::cerr << "polc check: " << *err << "\n(see `polc check --help`)\n";
    return kExitUsage;
  }
  if (o->files.empty()) {
    std::cerr << "polc check: no files given\n(see `polc check --help`)\n";
    return kExitUsage;
  }
  BackendSelection selected = all_backends();
  if (auto err = parse_backends(values_of(*o, "--backends"), selected)) {
    std::cerr << "polc check: " << *err << "\n(see `polc check --help`)\n";
    return kExitUsage;
  }
  diag::SourceManager sources;
  diag::Engine engine(sources);
  for (const std::string& f : o->files) {
    // A policy also goes through every backend and the coverage check (nothing is written):
    // what `polc build` would refuse, `polc check` reports too, so pre-commit catches it.
    if (auto policy = analyze_file(engine, f, *o)) {
      BuildInputs inputs;
      inputs.selected = selected;
      inputs.manifest = false;
      build_bundle(*policy, inputs, engine);
    }
  }
  return report(engine, *o);
}

int cmd_ir(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "ir", {}, help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (o->files.size() != 1) {
    std::cerr << "polc ir: give exactly one policy file\n(see `polc ir --help`)\n";
    return kExitUsage;
  }
  diag::SourceManager sources;
  diag::Engine engine(sources);
  auto policy = analyze_file(engine, o->files[0], *o);
  // stdout carries the IR alone, so that it is one JSON document whatever --format says.
  const int status = report(engine, *o, /*to_stderr=*/true);
  if (status != kExitOk) return status;
  if (!policy) {
    std::cerr << "polc ir: `" << o->files[0] << "` is a module; only policies have an IR\n";
    return kExitUsage;
  }
  std::cout << ir::to_json(*policy);
  return kExitOk;
}

}  // namespace polc::driver
