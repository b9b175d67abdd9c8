// Stage: launcher (the OS layer). os.json as sbx-exec reads it (docs/backends/os.md is the
// format): the namespaces the payload gets, its resource limits, the mounts made in its mount
// namespace, and the workspaces whose changes are committed only when a run ends cleanly. Parsed
// from the bundle's verified bytes (launcher/os/os_json.h); applied by launcher/os/*.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace polc::launcher::os {

struct Limits {
  std::optional<uint64_t> memory;       // bytes: memory.max
  std::optional<uint64_t> memory_swap;  // bytes, memory plus swap: memory.swap.max = this - memory
  std::optional<uint64_t> tasks;        // pids.max
  std::optional<uint64_t> cpu;          // thousandths of a core: cpu.max "cpu*100 100000"
  std::optional<uint64_t> time_ms;      // wall clock, enforced by the supervisor
  std::optional<uint64_t> open_files;   // RLIMIT_NOFILE, soft and hard
  std::optional<uint64_t> file_size;    // bytes: RLIMIT_FSIZE, soft and hard
  bool core_dumps = false;              // false: RLIMIT_CORE 0, soft and hard
};

enum class MountKind : uint8_t {
  MinimalDev,  // a tmpfs with the few device nodes a program needs (bind-mounted from the host's)
  Tmpfs,       // a private, empty tmpfs
  Hide,        // an empty read-only tmpfs over a directory, the host's /dev/null over a file
  ReadOnly,    // bind-mounted onto itself, remounted read-only
  NoExec,      // bind-mounted onto itself, remounted noexec
  NoDev,       // bind-mounted onto itself, remounted nodev
};

struct Mount {
  MountKind kind = MountKind::Hide;
  std::string path;   // absolute, normal; opened without following symbolic links
  uint64_t size = 0;  // Tmpfs: bytes, 0 for the kernel's default
  // Where the statement lives, as the manifest spells it ("sources/p.sbx:12"), for messages.
  std::string at;
};

struct Workspace {
  std::string path;  // absolute, normal: the directory the overlay is mounted on
  bool discard_on_kill = true;
  bool discard_on_refusal = true;
  bool discard_on_failure = true;
  std::vector<std::string> refusal_layers;  // empty: every layer's refusals count
  std::string at;
};

struct OsSpec {
  bool cgroup_ns = false, ipc_ns = false, mount_ns = false, pid_ns = false, user_ns = false, uts_ns = false;
  Limits limits;
  // In the order they are applied: by path (a parent before what lies beneath it); at one path,
  // in MountKind order. Workspaces are mounted in the same walk, after a tmpfs at their path and
  // before a Hide/ReadOnly/NoExec/NoDev there.
  std::vector<Mount> mounts;
  std::vector<Workspace> workspaces;
};

}  // namespace polc::launcher::os
