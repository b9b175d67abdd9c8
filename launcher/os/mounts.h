// Stage: launcher (the OS layer). The payload's mounts: os.json's mounts and workspaces made in
// the payload's own mount namespace, before Landlock and seccomp are applied.
//
// Fail closed: every path is opened with openat2 RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS (a
// symbolic link in any component refuses the run; the policy names resolved paths) and mounted
// onto through that descriptor (move_mount), never looked up again by name. A missing path, a
// refusal by the kernel or a link throws; only a `hide` of a path that does not exist is skipped
// (nothing to hide), and said so in the report.
//
// What each kind makes (docs/backends/os.md):
//   minimal_dev  /dev: a tmpfs (0755, nosuid, noexec) with the host's null zero full random
//                urandom tty bind-mounted in, a new devpts instance at /dev/pts with /dev/ptmx ->
//                pts/ptmx, a tmpfs at /dev/shm (1777), and fd, stdin, stdout, stderr -> /proc/self/fd.
//   tmpfs        an empty private tmpfs (nosuid, nodev; the directory's own mode; size if given).
//   hide         a directory: an empty read-only tmpfs (0555, nosuid, nodev, noexec); anything
//                else: an empty read-only regular file bound over it (reads give nothing, writes
//                fail with EROFS). Where the kernel cannot bind a file out of a detached mount
//                (older kernels refuse open_tree on one), the host's /dev/null is bound read-only
//                instead, and the report says so: reads give nothing, writes are accepted and dropped.
//   readonly, noexec, nodev
//                the path bound onto itself, recursively (mounts beneath included), and the flag
//                added to every mount of that copy; every other flag is kept, so the flags the
//                kernel locks (nosuid, nodev, ... of mounts inherited from the host) stay.
#pragma once

#include <string>
#include <vector>

#include "launcher/os/os_spec.h"
#include "launcher/os/workspace.h"

namespace polc::launcher::os {

struct MountOutcome {
  std::string kind;  // os.json's kind name, or "workspace"
  std::string path;
  bool applied = false;
  std::string note;  // why it was skipped, or how it was made when that matters ("/dev/null bound")
};

// What apply_mounts did, in order, for the audit line.
struct MountReport {
  std::vector<MountOutcome> outcomes;
  size_t applied() const;
  size_t skipped() const;
  // One line: "hide /home/u/.ssh, readonly /usr, workspace /work/p; skipped: hide /x (missing)".
  std::string summary() const;
};

// Makes / and everything beneath it private (MS_REC | MS_PRIVATE), so that nothing mounted here
// propagates to the host, then makes each mount of spec.mounts and mounts each workspace, in one
// walk by path (a parent before what lies beneath it); at one path: minimal_dev, tmpfs, the
// workspace, then hide, readonly, noexec, nodev. Call in the payload's process after
// unshare(CLONE_NEWNS), as root in that namespace. Throws launcher::Failure (ExitCode::ApplyFailed).
MountReport apply_mounts(const OsSpec& spec, const std::vector<PreparedWorkspace>& workspaces);

// Mounts a new proc filesystem (nosuid, nodev, noexec) over /proc, so that /proc shows the
// processes of the caller's PID namespace: call in a process inside the new PID namespace (its
// init or a descendant) and in a new mount namespace whose / is already private. Throws.
void mount_proc();

}  // namespace polc::launcher::os
