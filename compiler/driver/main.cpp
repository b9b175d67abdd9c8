// Stage: driver. The polc executable: dispatches to one verb of the verb table. Library stages never
// exit; only this file turns their results into an exit status.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "backends/seccomp/isolated.h"
#include "compiler/diag/phase_trace.h"
#include "compiler/driver/commands.h"
#include "compiler/driver/verbs.h"
#include "compiler/verify/solver.h"

namespace {

// The verbs that ask Z3 questions. Their context is created on a second thread from the start,
// while the front end parses and analyses (it takes about as long as a small policy's front end).
bool asks_solver(const std::string& verb) {
  return verb == "check" || verb == "build" || verb == "run" || verb == "test" || verb == "diff";
}

// The verbs that compile OCI profiles with libseccomp (the conformance check of seccomp.oci.json).
// Their small isolation worker is forked first, while this process is still small.
bool runs_backends(const std::string& verb) { return verb == "check" || verb == "build" || verb == "run"; }

#if defined(__SANITIZE_ADDRESS__)
#define POLC_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POLC_LEAK_CHECKED 1
#endif
#endif

// Ends the process once the verb has returned (its objects, open files and temporary directories
// are gone by then) and its output is flushed. Without the exit handlers: destroying the
// run's static state (Z3's and ANTLR's caches) serves no purpose, and a context still being
// prepared need not be waited for. Sanitizer builds exit normally so that LeakSanitizer runs.
[[noreturn]] void finish(int status) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
#ifdef POLC_LEAK_CHECKED
  polc::verify::settle_shared_context();
  std::exit(status);
#else
  _exit(status);
#endif
}

}  // namespace

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
  polc::trace_phase("start");
  if (runs_backends(verb)) polc::backends::seccomp::start_isolation_worker();
  if (asks_solver(verb)) polc::verify::prepare_shared_context();
  int status = 3;
  try {
    status = v->entry(Args(all.begin() + 1, all.end()));
  } catch (const std::exception& e) {
    // Only compiler bugs get here: user errors are diagnostics. Fail closed with a distinct status.
    std::cerr << "polc: internal error: " << e.what() << "\n";
  }
  polc::trace_phase("exit");
  finish(status);
}
