// Stage: backends/seccomp. What the seccomp files enforce, for the coverage map: each program
// decides every syscall rule of the targets it decides, and the default, exactly (the build proves
// each program against the IR); the OCI profile, when written, does the same.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "backends/enforcement.h"
#include "compiler/diag/source_manager.h"
#include "compiler/ir/ir.h"

namespace polc::backends::seccomp {

// `programs` maps each target to a program file that decides it (a program decides every target
// of its family); `oci_file` is the OCI profile's name, or "" when none was written. Syscall rule
// claims are per line (Enforcement::whole_line): one claim per statement, action and target,
// summarizing the syscalls that statement's line gives that action.
Enforcements claims(const ir::Policy& policy, const diag::SourceManager& sources,
                    const std::vector<std::pair<arch::Arch, std::string>>& programs, const std::string& oci_file);

}  // namespace polc::backends::seccomp
