// Stage: launcher. The bundle's seccomp program for this machine's architecture, and loading it.
#pragma once

#include <string>

namespace polc::launcher {

struct Bundle;

// The polc target name of the architecture sbx-exec was compiled for ("x86_64", "aarch64", ...):
// the ABI the payload's exec will run under, since sbx-exec execs it in place.
const char* native_arch();

struct SeccompProgram {
  std::string file;   // "seccomp.x86_64.bpf"
  std::string bytes;  // verified raw struct sock_filter array
  size_t instructions = 0;
};

// Finds and checks seccomp.<native>.bpf. A bundle without one for this architecture is refused
// (Failure BundleInvalid): running without the syscall filter would be less confinement.
SeccompProgram native_seccomp_program(const Bundle& bundle);

// Whether this kernel can filter syscalls with seccomp (CONFIG_SECCOMP_FILTER).
bool kernel_has_seccomp_filter();

// Installs the program. Requires no_new_privs (or CAP_SYS_ADMIN). Throws Failure(ApplyFailed).
// `log_refusals`: have the kernel audit every decision but allow (the supervisor reads them).
void apply_seccomp(const SeccompProgram& program, bool log_refusals);

}  // namespace polc::launcher
