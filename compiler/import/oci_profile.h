// Stage: import. The parts of an OCI runtime-spec / Docker seccomp profile that polc translates,
// read from JSON into plain data. Every element keeps its JSON path so later checks can point
// diagnostics at the exact place in the profile.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace polc::import {

// One step of a JSON path: an object key or an array index.
struct JsonStep {
  std::string key;
  size_t index = 0;
  bool is_index = false;
};
using JsonPath = std::vector<JsonStep>;

JsonPath child(const JsonPath& parent, std::string key);
JsonPath child(const JsonPath& parent, size_t index);
// `syscalls[3].args[0].op`; the root is `(root)`.
std::string to_string(const JsonPath& path);

enum class OciAction { Allow, Errno, KillThread, KillProcess, Trap, Trace, Log, Notify };

enum class OciOp { Ne, Lt, Le, Eq, Ge, Gt, MaskedEq };

// A kernel release as Docker's minKernel writes it: "MAJOR.MINOR".
struct KernelVersion {
  unsigned major = 0;
  unsigned minor = 0;
  auto operator<=>(const KernelVersion&) const = default;
};

// `includes` or `excludes` of a syscall entry.
struct OciFilter {
  std::vector<std::string> caps;    // CAP_* names
  std::vector<std::string> arches;  // Docker arch names: amd64, arm64, s390x, ...
  std::optional<KernelVersion> min_kernel;
  bool present = false;
  JsonPath path;
};

// One element of an entry's `args`: register `index` compared with `value` (and `value_two`, the
// datum of SCMP_CMP_MASKED_EQ, whose `value` is the mask).
struct OciArg {
  unsigned index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  OciOp op = OciOp::Eq;
  JsonPath path;
};

struct OciSyscall {
  std::vector<std::string> names;
  bool single_name = false;  // written as the deprecated `"name": "..."`
  OciAction action = OciAction::Allow;
  std::optional<uint64_t> errno_ret;
  std::vector<OciArg> args;
  std::string comment;
  OciFilter includes;
  OciFilter excludes;
  JsonPath path;  // syscalls[N]
};

struct OciProfile {
  OciAction default_action = OciAction::Allow;
  std::optional<uint64_t> default_errno_ret;
  // SCMP_ARCH_* names from `architectures` and every `archMap` entry; empty when neither is given
  // (libseccomp then filters the native architecture only, which may be any target).
  std::vector<std::string> scmp_arches;
  JsonPath arches_path;  // where the first of them was given
  std::vector<OciSyscall> syscalls;
};

}  // namespace polc::import
