// Stage: backends/seccomp. The OCI runtime-spec `linux.seccomp` profile (seccomp.oci.json): the
// same partitioned rules as the BPF programs, grouped by action and condition, for runc, crun,
// Docker and Podman, which compile it with libseccomp themselves.
#pragma once

#include <string>
#include <vector>

#include "backends/seccomp/partition.h"

namespace polc::backends::seccomp {

// A syscall whose rules differ between two targets where it exists: one profile applies every
// entry to every listed architecture, so it cannot be exact for both.
struct OciConflict {
  std::string syscall;
  arch::Arch first = arch::Arch::x86_64;
  arch::Arch second = arch::Arch::x86_64;
  const ir::SyscallRule* rule = nullptr;  // a rule of the syscall, for the diagnostic's location
};

struct OciProfile {
  std::string json;  // empty when there are conflicts
  std::vector<OciConflict> conflicts;
};

OciProfile oci_profile(const ir::Policy& policy, const std::vector<ArchPartition>& partitions);

}  // namespace polc::backends::seccomp
