// Stage: learn. The checks a draft carries about itself, built from real observations:
// - `test "observed syscalls"`, `test "observed files"`, `test "observed network"`: one
//   `expect allow ...` for each of the kTestsPerKind most frequent granted observations of that
//   kind (ties: the recording's order, so the choice is deterministic). A syscall is queried with
//   its recorded arguments in numeric form (unrecorded ones are 0), `on ARCH` when the draft has
//   several targets; a make_*/remove_*/refer access is queried on its parent directory.
// - for every credential path observed (sensitive_paths.h): `deny RIGHT "PATH"` in the filesystem
//   section (draft.cpp; one a grant overlaps is masked by os.json, E0606 without the os backend),
//   `assert never RIGHT "PATH"` and, in
//   `test "credentials stay out of reach"`, `expect deny RIGHT "PATH"`, where RIGHT is read, write
//   or execute, the composite the observed right belongs to (composites expand to what the
//   draft's ABI can enforce; ioctl_dev has none and is only reported).
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "compiler/learn/recording.h"

namespace polc::learn {

inline constexpr size_t kTestsPerKind = 8;

// `granted`: the observations the draft allows and grants itself or through its imports, in
// recording order.
std::string observed_tests(std::span<const std::pair<const Event*, const Seen*>> granted,
                           std::span<const arch::Arch> targets);

// `credentials`: the observed credential paths' events (FileAccess or Exec), in recording order.
// Empty when there are none.
std::string credential_checks(std::span<const Event* const> credentials);

// The same credentials as queries ("read \"/root/.ssh/id_rsa\""), deduplicated, in order: what
// the assertions, the tests and the filesystem section's `deny` statements name.
std::vector<std::string> credential_queries(std::span<const Event* const> credentials);

}  // namespace polc::learn
