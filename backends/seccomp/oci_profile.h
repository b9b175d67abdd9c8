// Stage: backends/seccomp. The OCI runtime-spec `linux.seccomp` profile (seccomp.oci.json): the
// partitioned rules grouped by action and condition, for runc, crun, Docker and Podman, which
// compile it with libseccomp themselves. Before it is returned, the profile is compiled the way
// runc does for each of the policy's arch families and checked against the policy.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/seccomp/conformance.h"
#include "backends/seccomp/partition.h"

namespace polc::backends::seccomp {

// Why no profile can be written: on `arch`, the profile would decide `witness` differently.
struct OciConflict {
  arch::Arch arch = arch::Arch::x86_64;
  std::string syscall;                    // the syscall of the witness ("" when the number is not in the policy)
  std::string detail;                     // the witness, or what runc's compile refused
  const ir::SyscallRule* rule = nullptr;  // a rule of that syscall, for the diagnostic's location
};

struct OciProfile {
  std::string json;  // empty when `conflict` is set
  std::optional<OciConflict> conflict;
};

// `probes`: the policy's conformance probes when the caller has them (else they are built here).
// The seccomp backend (seccomp.oci.json) and the oci backend (linux.seccomp) both ask for the
// profile of the same policy in one build, and its compile and check are the dearest part of
// either: the last profile that was written is remembered, keyed by its text and the policy's
// syscall section and targets (everything its compile and check read), and given again without
// compiling it twice.
OciProfile oci_profile(const ir::Policy& policy, const std::vector<ArchPartition>& partitions,
                       const Probes* probes = nullptr);

// oci_profile in two steps: the constructor starts the compiles (libseccomp, in the isolation
// worker's children), finish() waits for them and checks the results. The seccomp backend starts
// them before it generates its own programs, so that libseccomp works while polc does. `policy`
// and `probes` must outlive the object; destroying it unfinished kills the compiles.
class PendingOciProfile {
 public:
  PendingOciProfile(const ir::Policy& policy, const std::vector<ArchPartition>& partitions,
                    const Probes* probes = nullptr);
  PendingOciProfile(PendingOciProfile&&) noexcept;
  ~PendingOciProfile();
  // Call once.
  OciProfile finish();

 private:
  struct Compiles;
  const ir::Policy& policy_;
  const Probes* probes_;
  std::string text_;
  std::unique_ptr<Compiles> compiles_;  // null when the memo already holds this profile
};

}  // namespace polc::backends::seccomp
