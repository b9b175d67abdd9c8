// Stage: launcher. Why an exec of the payload's command would fail under the policy's Landlock
// filesystem layer, found before that layer is enforced: sbx-exec prints it when the exec does
// fail (a bare EACCES names neither the file nor the right), and --dry-run prints it instead of
// running anything.
//
// An execve opens several files, each with Landlock's check for a file opened to be executed:
// `execute` and, because the kernel opens it for reading too (open_exec: O_RDONLY | __FMODE_EXEC),
// `read_file`, wherever the layer handles them (security/landlock/fs.c). They are the command
// (found on PATH as execvp finds it), the interpreter of its `#!` line and that interpreter's own,
// up to the kernel's depth limit, and the PT_INTERP loader of each ELF among them. A script with
// neither `#!` nor ELF header is run by execvp with /bin/sh.
//
// The preflight walks every path as the rule paths are walked (rule_paths.h: on descriptors, never
// through a link the sandbox could have planted), and reads a file's first bytes only when the
// policy grants `read_file` on it, so it learns nothing the payload could not read itself. It
// never refuses a launch: the kernel decides; this only explains.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/bundle/attribution_schema.h"
#include "launcher/errors.h"
#include "launcher/landlock_policy.h"

namespace polc::launcher {

// The rights an exec needs on every file it opens: execute and read_file (LANDLOCK_ACCESS_FS_*).
inline constexpr uint64_t kExecRights = (uint64_t{1} << 0) | (uint64_t{1} << 2);

// One file the exec opens, as far as the preflight got.
struct ExecFile {
  std::string role;      // "the command", "its #! interpreter", "the ELF interpreter", ...
  std::string path;      // as named: by the command line, PATH, a #! line or PT_INTERP
  std::string of;        // whose interpreter it is, beyond the command's own ("" for those)
  std::string resolved;  // the object's path on this host, links followed
  uint64_t granted = 0;  // the fs rights the policy grants on it (when a fs layer is applied)
};

struct ExecPreflight {
  std::vector<ExecFile> files;  // in the order the kernel opens them
  // Why the exec would fail, naming the file and what is missing, and the status sbx-exec exits
  // with then (126, or 127 for a file that does not exist). Empty when nothing was found wrong.
  std::optional<std::string> problem;
  ExitCode code = ExitCode::Ok;
  // What could not be examined (a link the sandbox could have planted, a file it may not read).
  std::vector<std::string> notes;
};

// `fs`: the filesystem layer that will be enforced, or null (none, or this kernel applies none).
// `path_env`: the PATH the payload gets (null: unset, execvp's default "/bin:/usr/bin"). Never
// throws.
ExecPreflight preflight_exec(const std::vector<std::string>& command, const char* path_env, const FsLayer* fs,
                             const std::optional<bundle::Attribution>& attribution);

// The line sbx-exec prints when the exec failed with `err`: the preflight's explanation when it
// found one, else the errno's text.
std::string exec_failure_text(const std::string& command, int err, const ExecPreflight& preflight);

}  // namespace polc::launcher
