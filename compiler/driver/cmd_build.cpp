// Stage: driver. `polc build FILE -o DIR`: analyzes a policy, runs the selected backends, checks
// that every statement is enforced, and writes the bundle to DIR/<policy name>/ atomically.
#include <ctime>
#include <iostream>
#include <thread>

#include "compiler/driver/build_bundle.h"
#include "compiler/driver/build_policy.h"
#include "compiler/driver/output_dir.h"
#include "compiler/driver/seccomp_options.h"
#include "compiler/driver/session.h"

namespace polc::driver {

int cmd_build(const Args& args) {
  bool help = false;
  auto o = parse_options(args, "build",
                         {"-o=", "--output=", "--backends=", "--explain-coverage",
                          "--solver-rlimit=", "--seccomp-codegen=", "--syscall-mix=", "--expires="},
                         help);
  if (!o) return help ? kExitOk : kExitUsage;
  if (auto err = apply_solver_options(*o)) {
    std::cerr << "polc build: " << *err << "\n(see `polc build --help`)\n";
    return kExitUsage;
  }
  if (auto err = apply_seccomp_options(*o)) {
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
  BuildInputs inputs;
  if (auto err = parse_backends(values_of(*o, "--backends"), inputs.selected)) {
    std::cerr << "polc build: " << *err << "\n(see `polc build --help`)\n";
    return kExitUsage;
  }
  if (auto expires = value_of(*o, "--expires")) {
    // An absolute time only: "in 30 days" would make the bundle depend on when it was built.
    const auto at = bundle::parse_utc_time(*expires);
    if (!at) {
      std::cerr << "polc build: --expires takes a UTC date or time like 2027-01-31 or 2027-01-31T12:00:00Z, not `"
                << *expires << "`\n";
      return kExitUsage;
    }
    if (*at <= std::time(nullptr)) {
      std::cerr << "polc build: --expires " << *expires << " is in the past: the bundle would never be accepted\n";
      return kExitUsage;
    }
    inputs.expires = bundle::format_utc_time(*at);
  }
  // DIR/NAME as the user wrote DIR: `-o dist/` names dist/NAME, not dist//NAME.
  const auto destination = [&](const std::string& name) {
    return *out_dir + (out_dir->back() == '/' ? "" : "/") + name;
  };
  // The files the backends made are written, and synced, on a thread of their own while the
  // proofs run (mostly waiting for the disk, so it takes little from them); nothing appears at
  // DIR/NAME unless the build succeeds (the staged directory is removed otherwise). Declared in
  // this order so that the thread is joined before the directory it writes goes away.
  std::unique_ptr<StagedDirectory> staged;
  std::string stage_error;
  std::jthread stager;
  inputs.while_proving = [&](const std::string& name, const Artifacts& files) {
    stager = std::jthread([&staged, &stage_error, dir = destination(name), files] {
      try {
        // A DIR that does not exist yet is made only once the build has succeeded.
        staged = StagedDirectory::open(dir, stage_error, /*make_parents=*/false);
        if (staged && !staged->write(files)) staged->sync();  // an error comes back from publish()
      } catch (const std::exception& e) {
        staged.reset();
        stage_error = std::string("cannot write the bundle: ") + e.what();
      }
    });
  };
  diag::SourceManager sources;
  diag::Engine engine(sources);
  bool is_module = false;
  const auto built = build_policy_file(o->files[0], std::move(inputs), *o, engine, &is_module);
  if (is_module) {
    report(engine, *o);
    std::cerr << "polc build: `" << o->files[0] << "` is a module; only policies are built\n";
    return kExitUsage;
  }
  if (stager.joinable()) stager.join();
  if (!built) return report(engine, *o);
  const Bundle* bundle = &built->bundle;
  const std::string dest = destination(built->name);
  if (!staged && stage_error.empty()) staged = StagedDirectory::open(dest, stage_error);
  std::optional<std::string> not_written = staged ? staged->publish(bundle->files) : stage_error;
  if (not_written) {
    engine.report(diag::Code::OutputNotWritten, {}, *not_written);
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
